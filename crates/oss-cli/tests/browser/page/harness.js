// What the tests call through WebDriver: each function resolves to a plain object (never
// rejects), so a failed fetch comes back as its error's name and message.

async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), b => b.toString(16).padStart(2, '0')).join('');
}

function failure(e) {
  return {
    ok: false,
    name: e && e.name,
    message: String(e && e.message),
    status: e && e.status !== undefined ? e.status : null,
    body: e && e.body !== undefined ? e.body : null,
  };
}

function bytesOf(base64) {
  return Uint8Array.from(atob(base64), c => c.charCodeAt(0));
}

// The seed's sample, as a user calls it.
async function runDownload(url, filename) {
  try {
    const blob = await downloadPresigned(url, filename);
    return { ok: true, size: blob.size, sha256: await sha256Hex(blob) };
  } catch (e) {
    return failure(e);
  }
}

// A presigned PUT with a signed Content-Type: not a simple request, so the browser sends a
// preflight OPTIONS first.
async function runPut(url, contentType, base64) {
  try {
    const r = await fetch(url, {
      method: 'PUT',
      headers: { 'Content-Type': contentType },
      body: bytesOf(base64),
    });
    return { ok: r.ok, status: r.status, etag: r.headers.get('ETag'), body: await r.text() };
  } catch (e) {
    return failure(e);
  }
}

// A POST-policy form upload: the fields in order, the file last.
async function runForm(url, fields, fileField, filename, contentType, base64) {
  try {
    const form = new FormData();
    for (const { name, value } of fields) form.append(name, value);
    form.append(fileField, new Blob([bytesOf(base64)], { type: contentType }), filename);
    const r = await fetch(url, { method: 'POST', body: form });
    return { ok: r.ok, status: r.status, body: await r.text() };
  } catch (e) {
    return failure(e);
  }
}

// Presign in the page with the WebAssembly module, then fetch.
async function runWasm(moduleUrl, options) {
  let signed;
  try {
    const { presign } = await import(moduleUrl);
    const result = presign(options);
    signed = {
      method: result.method,
      url: result.url,
      expiration: result.expiration instanceof Date ? result.expiration.toISOString() : null,
      signedHeaders: result.signedHeaders,
    };
  } catch (e) {
    return Object.assign(failure(e), { stage: 'presign' });
  }
  try {
    const r = await fetch(signed.url, { method: signed.method, headers: signed.signedHeaders });
    if (!r.ok) return { ok: false, stage: 'fetch', status: r.status, body: await r.text(), signed };
    const blob = await r.blob();
    return { ok: true, signed, size: blob.size, sha256: await sha256Hex(blob) };
  } catch (e) {
    return Object.assign(failure(e), { stage: 'fetch', signed });
  }
}

// Uploads signed in the page by the WebAssembly module: a PUT with the signed headers, and a
// POST-policy form (its fields as [name, value] pairs, the file last).
async function runWasmUploads(moduleUrl, putOptions, postOptions, contentType, base64) {
  const out = {};
  try {
    const { presign, presignPost } = await import(moduleUrl);
    const put = presign(putOptions);
    out.putHeaders = put.signedHeaders;
    const r = await fetch(put.url, { method: put.method, headers: put.signedHeaders, body: bytesOf(base64) });
    out.put = { status: r.status, body: await r.text() };
    const post = presignPost(postOptions);
    out.postFields = post.fields.map(([name]) => name);
    const form = new FormData();
    for (const [name, value] of post.fields) form.append(name, value);
    form.append('file', new Blob([bytesOf(base64)], { type: contentType }), 'form.bin');
    const p = await fetch(post.url, { method: 'POST', body: form });
    out.post = { status: p.status, body: await p.text() };
    out.ok = true;
  } catch (e) {
    Object.assign(out, failure(e));
  }
  return out;
}
