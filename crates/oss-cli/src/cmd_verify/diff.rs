//! The client's canonical request (V4) or string to sign (V1), compared line by line with
//! the one recomputed from the URL.

/// What line `index` of a V4 canonical request holds.
fn part_name(lines: &[&str], index: usize) -> &'static str {
    match index {
        0 => "HTTP method",
        1 => "canonical URI (bucket and key)",
        2 => "canonical query string",
        _ => {
            let blank = lines
                .iter()
                .skip(3)
                .position(|l| l.is_empty())
                .map(|p| p + 3);
            match blank {
                Some(b) if index < b => "canonical header",
                Some(b) if index == b => "end of headers",
                Some(b) if index == b + 1 => "additional headers",
                Some(b) if index == b + 2 => "payload hash",
                _ => "line",
            }
        }
    }
}

/// Prints which lines of the client's canonical request differ from the recomputed one.
pub(super) fn diff_lines(out: &mut String, client: &str, ours: &str, v4: bool) {
    let client: Vec<&str> = client
        .trim_end_matches(['\n', '\r'])
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .collect();
    let ours: Vec<&str> = ours.split('\n').collect();
    let what = if v4 {
        "canonical request"
    } else {
        "string to sign"
    };
    let mut differ = 0;
    out.push_str(&format!("compared with the client's {what}:\n"));
    for i in 0..client.len().max(ours.len()) {
        let (c, o) = (client.get(i), ours.get(i));
        if c == o {
            continue;
        }
        differ += 1;
        let label = if v4 { part_name(&ours, i) } else { "line" };
        out.push_str(&format!("  line {} ({label}) differs:\n", i + 1));
        out.push_str(&format!(
            "    client:     {}\n",
            c.copied().unwrap_or("(missing)")
        ));
        out.push_str(&format!(
            "    recomputed: {}\n",
            o.copied().unwrap_or("(missing)")
        ));
    }
    if differ == 0 {
        out.push_str("  identical: the difference is in the secret or the signing time/scope\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_parts_are_named() {
        let lines = ["GET", "/b/k", "q", "host:x", "", "host", "UNSIGNED-PAYLOAD"];
        let names: Vec<&str> = (0..lines.len()).map(|i| part_name(&lines, i)).collect();
        assert_eq!(
            names,
            [
                "HTTP method",
                "canonical URI (bucket and key)",
                "canonical query string",
                "canonical header",
                "end of headers",
                "additional headers",
                "payload hash"
            ]
        );
    }

    #[test]
    fn diff_names_the_differing_part() {
        let mut out = String::new();
        diff_lines(
            &mut out,
            "GET\n/b/k2\nq\n\n\nUNSIGNED-PAYLOAD\n",
            "GET\n/b/k\nq\n\n\nUNSIGNED-PAYLOAD",
            true,
        );
        assert!(
            out.contains("line 2 (canonical URI (bucket and key)) differs"),
            "{out}"
        );
        assert!(!out.contains("line 1 "), "{out}");
    }
}
