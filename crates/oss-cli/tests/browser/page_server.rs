//! The page's origin: a small HTTP/1.1 server on 127.0.0.1 (another port than the OSS
//! server, so another origin) serving a fixed set of files, one request per connection.
//! Stopped on drop.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// A file the server answers with: its content type and bytes.
#[derive(Debug, Clone)]
pub(crate) struct PageFile {
    pub(crate) content_type: &'static str,
    pub(crate) bytes: Vec<u8>,
}

/// The running page server; its origin is `http://127.0.0.1:<port>`.
#[derive(Debug)]
pub(crate) struct PageServer {
    origin: String,
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl PageServer {
    /// Serves `files` (path such as `/index.html` -> file) on a free loopback port.
    pub(crate) fn start(files: HashMap<String, PageFile>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("page server listens");
        let port = listener.local_addr().expect("address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let files = Arc::new(files);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let files = Arc::clone(&files);
                std::thread::spawn(move || answer(stream, &files));
            }
        });
        Self {
            origin: format!("http://127.0.0.1:{port}"),
            port,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:<port>`, the page's origin.
    pub(crate) fn origin(&self) -> &str {
        &self.origin
    }
}

impl Drop for PageServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // wake the accept loop so it sees the flag
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn answer(stream: TcpStream, files: &HashMap<String, PageFile>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // the rest of the head (the page only sends GETs without bodies)
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {}
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split('?').next().unwrap_or(path);
    let (status, content_type, body): (&str, &str, &[u8]) = match files.get(path) {
        Some(file) => ("200 OK", file.content_type, &file.bytes),
        None => ("404 Not Found", "text/plain", b"not found"),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let mut stream = &stream;
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body));
}
