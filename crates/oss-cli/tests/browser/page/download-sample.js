// Download an object through a presigned URL from a web page: fetch it, hand the blob to a
// download link. The bucket needs a CORS rule allowing GET from the page's origin.
function downloadPresigned(url, filename) {
  return fetch(url)
    .then(r => {
      if (!r.ok) {
        // OSS answers errors with an XML body: <Error><Code>AccessDenied</Code>...
        return r.text().then(body => {
          throw Object.assign(new Error(`HTTP ${r.status}`), { status: r.status, body });
        });
      }
      return r.blob();
    })
    .then(blob => {
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = filename;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 60000);
      return blob;
    });
}
