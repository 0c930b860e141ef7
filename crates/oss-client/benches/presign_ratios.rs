//! Presign cost as ratios to its crypto floor, `oss-sign-core` and `Client::presign` side by
//! side in the same run (issue 17).
//!
//! `cargo bench -p oss-client --bench presign_ratios` (about 20 s; `-- --rounds N` for more,
//! `-- --only client_h20` to loop one case under `perf record`)
//!
//! The floor is what every V4 presigner pays for the typical GET: SHA-256 of its canonical
//! request, HMAC-SHA256 (key states precomputed) of its string to sign, and both as hex. Each
//! round times every case right after a batch of the floor, in an order rotated from round to
//! round, and divides by that floor batch; the report gives the median of the per-round ratios
//! (and the median absolute time, for scale on this machine only). Series: `h0/h5/h20` (PUT
//! with 0, 5, 20 `x-oss-meta-*` headers, compared with `h0`), `p20` (GET with 20 query
//! parameters, compared with `get`), `key1023` (GET of a 1023-byte key), each through
//! `oss_sign_core::v4::presign` (`core_*`) and `Client::presign` (`client_*`, static
//! credentials, signing key cached, an `ObjectRequest`); `client_typed_get` is the typical GET
//! as a `GetObjectRequest` (the same URL as `client_get`, compared with `core_get`), and
//! `client_typed_h5` the PUT of `client_h5` as a `PutObjectRequest` with five metadata entries.
//!
//! Timed on the system allocator as a user's program runs: the allocations per call are counted
//! by the test `tests/presign_allocations.rs`, not here. (Before stop 27 this bench counted them
//! with a counting global allocator in the timed loop; its four atomic adds per allocation and
//! free were timed with the presign, about 0.06 x floor on `client_get`.)

// A bench binary: printing the report is its job.
#![allow(missing_docs, clippy::print_stdout)]

// The workload, floor and timing shared with oss-sign-core's presign_ratios (a file included
// by path: sign-core does not depend on the client).
#[path = "../../oss-sign-core/benches/support/ratio_harness.rs"]
mod ratio_harness;

use std::hint::black_box;

use oss_client::{
    Client, Config, FixedClock, GetObjectRequest, ObjectRequest, Presignable, PutObjectRequest,
    SigningTime,
};
use oss_credentials::Credentials;
use oss_sign_core::{v4, SignableRequest};
use ratio_harness::{
    floor_case, index_of, leak, long_key, meta, params_20, print_heading, rounds_arg, run_only,
    warm_up, Case, Timings, AK, BUCKET, KEY, REGION, SECRET,
};

/// A case that presigns `request` through `client` and counts the URL's bytes (0 on error, which
/// the check after building the cases turns into a failure).
fn client_case<R: Presignable + 'static>(
    client: &'static Client,
    name: &'static str,
    request: R,
) -> Case {
    Case {
        name,
        run: Box::new(move || {
            client
                .presign(black_box(&request))
                .map(|r| r.url().len())
                .unwrap_or(0)
        }),
    }
}

fn main() {
    let rounds = rounds_arg(151);
    let batch = 250;

    let t = SigningTime::from_unix_seconds(1_731_400_000).unwrap_or_else(|_| unreachable!());
    let key: &'static v4::SigningKey =
        Box::leak(Box::new(v4::SigningKey::derive(SECRET, t, REGION, "oss")));
    let params: &'static v4::PresignParams<'static> =
        Box::leak(Box::new(v4::PresignParams::new(AK, REGION, t, 900)));
    let credentials = Credentials::new(AK, SECRET).unwrap_or_else(|_| unreachable!());
    let client: &'static Client = Box::leak(Box::new(Client::new(
        Config::builder()
            .region(REGION)
            .credentials(credentials)
            .clock(FixedClock::new(t))
            .build()
            .unwrap_or_else(|_| unreachable!()),
    )));

    let get_query = leak(vec![(
        "response-content-disposition".into(),
        "attachment".into(),
    )]);
    let params20 = params_20();
    let long_key = long_key();

    // (name, method, key, query, headers) of each series point
    let points: Vec<(&str, &str, &'static str, _, _)> = vec![
        ("get", "GET", KEY, get_query, meta(0)),
        ("h0", "PUT", KEY, &[][..], meta(0)),
        ("h5", "PUT", KEY, &[][..], meta(5)),
        ("h20", "PUT", KEY, &[][..], meta(20)),
        ("p20", "GET", KEY, params20, meta(0)),
        ("key1023", "GET", long_key, &[][..], meta(0)),
    ];

    let typical = SignableRequest::new("GET")
        .bucket(BUCKET)
        .key(KEY)
        .query(get_query);
    let sample = v4::presign(&typical, params, key).unwrap_or_else(|_| unreachable!());
    let canonical = sample.canonical_request().to_owned();
    let string_to_sign = sample.string_to_sign().to_owned();
    let mut cases = vec![floor_case(canonical, string_to_sign)];
    let mut names: Vec<String> = Vec::new();
    for (name, method, object_key, query, headers) in &points {
        let request = SignableRequest::new(method)
            .bucket(BUCKET)
            .key(object_key)
            .query(query)
            .headers(headers);
        let core_name: &'static str = format!("core_{name}").leak();
        cases.push(Case {
            name: core_name,
            run: Box::new(move || {
                v4::presign(black_box(&request), black_box(params), black_box(key))
                    .map(|p| {
                        let mut url = String::with_capacity(p.canonical_query().len() + 200);
                        url.push_str("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/k?");
                        p.write_url_query(&mut url);
                        url.len()
                    })
                    .unwrap_or(0)
            }),
        });
        let mut object = ObjectRequest::new(*method, BUCKET, *object_key);
        object.parameters = query
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        object.headers = headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        cases.push(client_case(client, format!("client_{name}").leak(), object));
        names.push((*name).to_owned());
    }
    // `client_h5` as a PutObjectRequest: the same five `x-oss-meta-*` headers, as metadata.
    let mut typed_put = PutObjectRequest::new(BUCKET, KEY);
    typed_put.metadata = meta(5)
        .iter()
        .map(|(n, v)| {
            let name = n.strip_prefix("x-oss-meta-").unwrap_or(n);
            (name.to_owned(), (*v).to_owned())
        })
        .collect();
    cases.push(client_case(client, "client_typed_h5", typed_put));
    // The typical GET as the typed request application code writes (the same URL as
    // `client_get`): its parts are built by `presign_parts`-style code, not lent in place.
    let typed = GetObjectRequest::new(BUCKET, KEY).response_content_disposition("attachment");
    cases.push(client_case(client, "client_typed_get", typed));
    for case in &cases {
        assert!((case.run)() > 0, "{} failed", case.name);
    }

    if run_only(&cases, 1000) {
        return;
    }

    warm_up(&cases, 2000);
    let timings = Timings::measure(&cases, rounds, batch);
    let index = |name: &str| index_of(&cases, name);

    print_heading(
        "presign_ratios (oss-client)",
        rounds,
        batch,
        "typical GET: ",
        sample.canonical_request(),
        sample.string_to_sign(),
    );
    println!(
        "{:<16} {:>8} {:>18} {:>18} {:>10}",
        "case", "x floor", "x series base", "client x core", "ns (here)"
    );
    for (i, case) in cases.iter().enumerate() {
        let (prefix, point) = case.name.split_once('_').unwrap_or(("", case.name));
        let series = match point {
            "h5" | "h20" | "typed_h5" => format!(
                "{:.2} x {prefix}_h0",
                timings.ratio_to(i, index(&format!("{prefix}_h0")))
            ),
            "p20" | "key1023" => format!(
                "{:.2} x {prefix}_get",
                timings.ratio_to(i, index(&format!("{prefix}_get")))
            ),
            _ => String::new(),
        };
        let versus_core = if prefix == "client" {
            let core_point = point.strip_prefix("typed_").unwrap_or(point);
            format!(
                "{:.2}",
                timings.ratio_to(i, index(&format!("core_{core_point}")))
            )
        } else {
            String::new()
        };
        println!(
            "{:<16} {:>8.2} {:>18} {:>18} {:>10.0}",
            case.name,
            timings.to_floor(i),
            series,
            versus_core,
            timings.absolute(i)
        );
    }
}
