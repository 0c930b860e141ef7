//! The download engine: size discovery, part scheduling, ranged GETs with resume, writes,
//! checkpoints and the final integrity check.
//!
//! `net` sends requests and streams bodies, `sink` writes them (and manages the target's files),
//! `plan` says which segments remain; this module runs a download from start to finish.

mod net;
mod plan;
mod sink;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::Bytes;
use http::Response;
use hyper::body::Incoming;
use tokio::io::{AsyncWrite, AsyncWriteExt as _};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::checkpoint::{self, CheckpointData, PartRecord};
use crate::config::{ProgressFn, Shared};
use crate::error::{DownloadError, DownloadErrorKind as Kind};
use crate::helper_files::{TargetLock, TEMP_TAG};
use crate::outcome::{Crc64Check, DownloadOutcome};
use crate::progress::Cancellation;
use crate::source::{PresignedGet, Presigner};
use crate::transfer_settings::timeout_elapsed;

use net::{probe, run_segment, CrcHeader, Net, Probe, SourceCell, Stats};
use plan::{combined_crc, Geometry, Plan, Segment};
use sink::{
    cancelled, keep_mode_of_replaced, paths, usable_checkpoint, verify_kept_parts, ChanOut,
    FileOut, InFlight, Out, Paths,
};

/// One download as the engine receives it (built by [`Download`](crate::Download)).
pub(crate) struct Job {
    pub(crate) shared: Arc<Shared>,
    pub(crate) source: PresignedGet,
    pub(crate) presigner: Option<Arc<dyn Presigner>>,
    pub(crate) progress: Option<ProgressFn>,
    pub(crate) cancel: Option<Cancellation>,
}

fn check_crc(
    net: &Net,
    geo: &Geometry,
    parts: &BTreeMap<u64, u64>,
    header: CrcHeader,
) -> Result<(u64, Crc64Check), DownloadError> {
    if parts.len() as u64 != geo.parts() {
        return Err(DownloadError::new(
            Kind::Integrity,
            format!(
                "{}: only {} of {} parts arrived",
                net.source().display_target(),
                parts.len(),
                geo.parts()
            ),
        ));
    }
    let crc = combined_crc(geo, parts);
    let verify = net.shared.config.transfer.verify_crc;
    match header {
        _ if !verify => Ok((crc, Crc64Check::Disabled)),
        CrcHeader::Absent => Ok((crc, Crc64Check::NotSent)),
        CrcHeader::Unparsable => Ok((crc, Crc64Check::Unparsable)),
        CrcHeader::Value(h) if h != crc => Err(DownloadError::new(
            Kind::Integrity,
            format!(
                "{}: CRC-64 mismatch: the server says {h}, the received bytes give {crc}",
                net.source().display_target()
            ),
        )),
        CrcHeader::Value(_) => Ok((crc, Crc64Check::Verified)),
    }
}

/// Plan of a fresh download after the probe (the first segment uses the probe's body).
fn plan_fresh(probe: &Probe, geo: &Geometry, parallelism: usize) -> Plan {
    Plan::new(geo, BTreeSet::new(), !(probe.whole || parallelism == 1))
}

/// Outcome of one attempt at a file download; `Restart` means the checkpoint was stale.
enum FileRun {
    Done(DownloadOutcome),
    Restart,
}

/// Completes when the whole-download timeout (if any) runs out.
async fn deadline(timeout: Option<std::time::Duration>) -> DownloadError {
    let t = timeout_elapsed(timeout).await;
    DownloadError::new(
        Kind::Timeout,
        format!("the download did not finish within {t:?} (the download timeout)"),
    )
}

pub(crate) async fn to_file(call: Job, target: &Path) -> Result<DownloadOutcome, DownloadError> {
    let shared = call.shared.clone();
    let paths = paths(&shared, target)?;
    // Held until this function returns: no second download (in this or another process)
    // writes the same target, and its helper files are ours to clean.
    let _lock = TargetLock::acquire(&paths.names).map_err(|e| {
        let busy = format!(
            "another download into {} is running",
            paths.target.display()
        );
        DownloadError::lock_failed(e, &paths.names, &busy, "locking the target")
    })?;
    let net = Net {
        shared: shared.clone(),
        source: SourceCell::new(call.source, call.presigner),
        stats: Arc::new(Stats::new(call.progress)),
    };
    let cancel = call.cancel.unwrap_or_default();
    let resume = shared.config.transfer.resume;
    if !resume {
        // A plain run leaves nothing of earlier runs: interrupted temp files, an old checkpoint.
        paths.remove_checkpoint();
        paths.remove_stale(None);
    }
    let deadline = deadline(shared.config.transfer.timeout);
    tokio::pin!(deadline);
    let mut use_checkpoint = resume;
    loop {
        let result = tokio::select! {
            r = file_run(&net, &paths, use_checkpoint) => r,
            _ = cancel.cancelled() => Err(cancelled()),
            e = &mut deadline => Err(e),
        };
        match result {
            Ok(FileRun::Done(o)) => return Ok(o),
            Ok(FileRun::Restart) => {
                paths.remove_checkpoint();
                paths.remove_stale(None);
                use_checkpoint = false;
                net.stats.done.store(0, Ordering::Relaxed);
            }
            Err(e) => {
                let useless = matches!(e.kind(), Kind::ObjectChanged | Kind::Integrity);
                if !resume || useless {
                    paths.remove_stale(None);
                    paths.remove_checkpoint();
                }
                return Err(e);
            }
        }
    }
}

async fn file_run(
    net: &Net,
    paths: &Paths,
    use_checkpoint: bool,
) -> Result<FileRun, DownloadError> {
    let cfg = &net.shared.config;
    let resume = cfg.transfer.resume;
    let identity = net.source().url.identity();
    let target_str = paths.target.to_string_lossy().into_owned();
    let saved = if use_checkpoint {
        usable_checkpoint(&net.shared.config, paths, &identity, &target_str)
    } else {
        None
    };
    if use_checkpoint {
        if saved.is_none() {
            paths.remove_checkpoint();
        }
        // Temp files no usable checkpoint refers to are leftovers of interrupted runs.
        paths.remove_stale(saved.as_ref().map(|(c, _)| Path::new(&c.temp)));
    }

    let mut parts: BTreeMap<u64, u64> = BTreeMap::new();
    let (geo, crc_header, plan, mut probe_resp, parts_total, temp_file, temp_path, kept) =
        match saved {
            Some((cp, file)) => {
                let geo = Geometry {
                    size: cp.size,
                    part_size: cp.part_size,
                    etag: Some(cp.etag.clone()),
                };
                let file = Arc::new(file);
                let kept = verify_kept_parts(file.clone(), &geo, cp.parts).await?;
                for p in &kept {
                    parts.insert(p.index, p.crc64);
                }
                let mut plan = Plan::new(
                    &geo,
                    parts.keys().copied().collect(),
                    cfg.transfer.parallelism > 1,
                )
                .peekable();
                let (ps, pe, nothing_missing) = match plan.peek() {
                    Some(s) => (s.start, Some(s.end - 1), false),
                    None => (0, Some(0), true),
                };
                let probe = probe(net, ps, pe).await?;
                if probe.etag.as_deref() != Some(cp.etag.as_str())
                    || probe.size != cp.size
                    || probe.whole && cp.size > 0 && !nothing_missing && ps != 0
                {
                    return Ok(FileRun::Restart);
                }
                let done_bytes: u64 = parts
                    .keys()
                    .map(|&i| {
                        let (s, e) = geo.part_range(i);
                        e - s
                    })
                    .sum();
                net.stats.done.store(done_bytes, Ordering::Relaxed);
                net.stats.total.store(geo.size, Ordering::Relaxed);
                let first = if nothing_missing { None } else { probe.resp };
                let n = geo.parts();
                (
                    geo,
                    probe.crc,
                    plan,
                    first,
                    n,
                    file,
                    PathBuf::from(cp.temp),
                    kept,
                )
            }
            None => {
                let end = if cfg.transfer.parallelism > 1 {
                    Some(cfg.transfer.part_size - 1)
                } else {
                    None
                };
                let probe = probe(net, 0, end).await?;
                let geo = Geometry {
                    size: probe.size,
                    part_size: cfg.transfer.part_size,
                    etag: probe.etag.clone(),
                };
                net.stats.total.store(geo.size, Ordering::Relaxed);
                let plan = plan_fresh(&probe, &geo, cfg.transfer.parallelism).peekable();
                // A fresh temp file of the right length, created exclusively under a random
                // name (0666 minus the umask, like the file it becomes).
                let (f, path) = paths
                    .names
                    .create_random(TEMP_TAG, 0o666)
                    .map_err(|e| DownloadError::io("creating the temporary file", e))?;
                if let Err(e) = f.set_len(geo.size) {
                    let _ = std::fs::remove_file(&path);
                    return Err(DownloadError::io("sizing the temporary file", e));
                }
                let n = geo.parts();
                (
                    geo,
                    probe.crc,
                    plan,
                    probe.resp,
                    n,
                    Arc::new(f),
                    path,
                    Vec::new(),
                )
            }
        };
    let geo = Arc::new(geo);
    let mut cp = CheckpointData {
        source: identity,
        target: target_str,
        temp: temp_path.to_string_lossy().into_owned(),
        size: geo.size,
        etag: geo.etag.clone().unwrap_or_default(),
        part_size: geo.part_size,
        parts: kept,
    };
    let checkpointing = resume && geo.etag.is_some();
    if checkpointing {
        checkpoint::store(&paths.checkpoint, &cp)
            .map_err(|e| DownloadError::io("writing the checkpoint", e))?;
    }

    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<(u64, u64)>();
    let mut queue = plan;
    let mut workers: JoinSet<Result<(), DownloadError>> = JoinSet::new();
    let parts_fetched_before = parts.len() as u64;
    let spawn = |workers: &mut JoinSet<_>, seg: Segment, first: Option<Response<Incoming>>| {
        let out = Out::File(FileOut::new(temp_file.clone(), seg.start, cfg.write_buffer));
        workers.spawn(run_segment(
            net.clone(),
            geo.clone(),
            seg,
            first,
            out,
            done_tx.clone(),
        ));
    };
    while workers.len() < cfg.transfer.parallelism {
        let Some(seg) = queue.next() else { break };
        spawn(&mut workers, seg, probe_resp.take());
    }
    drop(probe_resp);
    loop {
        if workers.is_empty() && queue.peek().is_none() {
            while let Ok((idx, crc)) = done_rx.try_recv() {
                parts.insert(idx, crc);
            }
            break;
        }
        tokio::select! {
            Some((idx, crc)) = done_rx.recv() => {
                parts.insert(idx, crc);
                if checkpointing {
                    cp.parts.push(PartRecord { index: idx, crc64: crc });
                    checkpoint::store(&paths.checkpoint, &cp)
                        .map_err(|e| DownloadError::io("writing the checkpoint", e))?;
                }
            }
            joined = workers.join_next(), if !workers.is_empty() => {
                match joined {
                    Some(Ok(Ok(()))) => {
                        if let Some(seg) = queue.next() {
                            spawn(&mut workers, seg, None);
                        }
                    }
                    Some(Ok(Err(e))) => {
                        workers.abort_all();
                        return Err(e);
                    }
                    Some(Err(e)) => {
                        workers.abort_all();
                        return Err(DownloadError::new(Kind::Io, format!("a download task failed: {e}")));
                    }
                    None => {}
                }
            }
        }
    }
    let (crc, check) = check_crc(net, &geo, &parts, crc_header)?;
    keep_mode_of_replaced(&temp_file, &paths.target)?;
    // The commit is synchronous on purpose: with no await point between the rename and the
    // return, a cancellation (which drops this future at an await) either comes before the
    // rename (nothing committed) or not at all. An awaited rename on the blocking pool could
    // finish after the future was dropped, leaving a target and a checkpoint from a "cancelled"
    // download.
    std::fs::rename(&temp_path, &paths.target)
        .map_err(|e| DownloadError::io("renaming the temporary file to the target", e))?;
    if resume {
        paths.remove_checkpoint();
    }
    net.stats.report(true);
    Ok(FileRun::Done(DownloadOutcome {
        size: geo.size,
        etag: geo.etag.clone(),
        crc64: crc,
        crc64_verified: check == Crc64Check::Verified,
        crc64_check: check,
        parts_total,
        parts_fetched: parts.len() as u64 - parts_fetched_before,
        bytes_fetched: net.stats.fetched.load(Ordering::Relaxed),
        requests: net.stats.requests.load(Ordering::Relaxed),
        retries: net.stats.retries.load(Ordering::Relaxed),
    }))
}

/// Where [`to_writer`] puts the batches: an async writer (each frame written as received), or
/// a blocking writer on a thread of its own that writes each batch with vectored writes.
pub(crate) enum Sink<'w, W: ?Sized> {
    Async(&'w mut W),
    Blocking(BlockingSink),
}

/// A `std::io::Write` on a blocking thread, fed batches of frames through a small channel.
pub(crate) struct BlockingSink {
    tx: Option<mpsc::Sender<Vec<Bytes>>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl BlockingSink {
    pub(crate) fn new<T: std::io::Write + Send + 'static>(mut writer: T) -> Self {
        let (tx, mut rx) = mpsc::channel::<Vec<Bytes>>(2);
        let task = tokio::task::spawn_blocking(move || {
            while let Some(batch) = rx.blocking_recv() {
                write_all_vectored(&mut writer, &batch)?;
            }
            writer.flush()
        });
        Self {
            tx: Some(tx),
            task: Some(task),
        }
    }

    /// The writer thread's result once it has stopped.
    async fn result(&mut self) -> std::io::Result<()> {
        self.tx = None;
        match self.task.take() {
            Some(task) => task
                .await
                .map_err(|e| std::io::Error::other(format!("the writer thread failed: {e}")))?,
            None => Ok(()),
        }
    }
}

/// Writes every frame of `batch` with `writev` (as many frames per call as the kernel takes).
fn write_all_vectored<T: std::io::Write + ?Sized>(
    writer: &mut T,
    batch: &[Bytes],
) -> std::io::Result<()> {
    use std::io::IoSlice;
    let mut slices: Vec<IoSlice<'_>> = batch.iter().map(|c| IoSlice::new(c)).collect();
    let mut rest = &mut slices[..];
    while !rest.is_empty() {
        match writer.write_vectored(rest) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut rest, n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

impl<W: AsyncWrite + Unpin + Send + ?Sized> Sink<'_, W> {
    async fn write(&mut self, batch: Vec<Bytes>) -> std::io::Result<()> {
        match self {
            Sink::Async(writer) => {
                for frame in &batch {
                    writer.write_all(frame).await?;
                }
                Ok(())
            }
            Sink::Blocking(sink) => {
                let sent = match &sink.tx {
                    Some(tx) => tx.send(batch).await.is_ok(),
                    None => false,
                };
                if sent {
                    Ok(())
                } else {
                    // The thread stopped: its error says why.
                    sink.result().await?;
                    Err(std::io::ErrorKind::BrokenPipe.into())
                }
            }
        }
    }

    async fn finish(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Async(writer) => writer.flush().await,
            Sink::Blocking(sink) => sink.result().await,
        }
    }
}

pub(crate) async fn to_writer<W>(
    call: Job,
    mut writer: Sink<'_, W>,
) -> Result<DownloadOutcome, DownloadError>
where
    W: AsyncWrite + Unpin + Send + ?Sized,
{
    let shared = call.shared.clone();
    let cfg = shared.config.clone();
    let net = Net {
        shared,
        source: SourceCell::new(call.source, call.presigner),
        stats: Arc::new(Stats::new(call.progress)),
    };
    let cancel: Cancellation = call.cancel.unwrap_or_default();
    let work = async {
        let end = if cfg.transfer.parallelism > 1 {
            Some(cfg.transfer.part_size - 1)
        } else {
            None
        };
        let probe = probe(&net, 0, end).await?;
        let geo = Arc::new(Geometry {
            size: probe.size,
            part_size: cfg.transfer.part_size,
            etag: probe.etag.clone(),
        });
        net.stats.total.store(geo.size, Ordering::Relaxed);
        let mut queue = plan_fresh(&probe, &geo, cfg.transfer.parallelism);
        let mut first = probe.resp;
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<(u64, u64)>();
        let mut in_flight: VecDeque<InFlight> = VecDeque::new();
        let mut result: Result<(), DownloadError> = Ok(());
        loop {
            while in_flight.len() < cfg.transfer.parallelism {
                let Some(seg) = queue.next() else { break };
                let (tx, rx) = mpsc::channel(2);
                let out = Out::Chan(ChanOut::new(tx, cfg.write_buffer));
                let h = tokio::spawn(run_segment(
                    net.clone(),
                    geo.clone(),
                    seg,
                    first.take(),
                    out,
                    done_tx.clone(),
                ));
                in_flight.push_back((rx, h));
            }
            let Some((mut rx, h)) = in_flight.pop_front() else {
                break;
            };
            while let Some(batch) = rx.recv().await {
                if let Err(e) = writer.write(batch).await {
                    result = Err(DownloadError::io("writing to the output", e));
                    break;
                }
            }
            if result.is_err() {
                h.abort();
                break;
            }
            match h.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    result = Err(e);
                    break;
                }
                Err(e) => {
                    result = Err(DownloadError::new(
                        Kind::Io,
                        format!("a download task failed: {e}"),
                    ));
                    break;
                }
            }
        }
        for (_, h) in in_flight {
            h.abort();
        }
        result?;
        writer
            .finish()
            .await
            .map_err(|e| DownloadError::io("flushing the output", e))?;
        drop(done_tx);
        let mut parts = BTreeMap::new();
        while let Some((i, c)) = done_rx.recv().await {
            parts.insert(i, c);
        }
        let (crc, check) = check_crc(&net, &geo, &parts, probe.crc)?;
        net.stats.report(true);
        Ok(DownloadOutcome {
            size: geo.size,
            etag: geo.etag.clone(),
            crc64: crc,
            crc64_verified: check == Crc64Check::Verified,
            crc64_check: check,
            parts_total: geo.parts(),
            parts_fetched: geo.parts(),
            bytes_fetched: net.stats.fetched.load(Ordering::Relaxed),
            requests: net.stats.requests.load(Ordering::Relaxed),
            retries: net.stats.retries.load(Ordering::Relaxed),
        })
    };
    tokio::select! {
        r = work => r,
        _ = cancel.cancelled() => Err(cancelled()),
        e = deadline(cfg.transfer.timeout) => Err(e),
    }
}
