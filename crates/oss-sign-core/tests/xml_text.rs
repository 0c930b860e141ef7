//! Property tests of the XML text codec: escape then unescape gives the text back (strict and
//! lenient alike), the escaped form holds no markup, and decoding never panics or grows.

use oss_sign_core::xml_text::{escape_into, unescape, unescape_lenient};
use proptest::prelude::*;

proptest! {
    #[test]
    fn escape_then_unescape_round_trips(text in "\\PC{0,64}|[&<>\"';#x0-9a-z]{0,64}") {
        let mut escaped = String::new();
        escape_into(&mut escaped, &text);
        prop_assert!(!escaped.contains(['<', '>', '"', '\'']), "{escaped:?}");
        prop_assert_eq!(unescape(&escaped).unwrap(), text.as_str());
        prop_assert_eq!(unescape_lenient(&escaped), text.as_str());
    }

    #[test]
    fn character_references_decode_to_their_character(c in any::<char>().prop_filter("NUL", |c| *c != '\0')) {
        let decimal = format!("&#{};", c as u32);
        let hex = format!("&#x{:X};", c as u32);
        prop_assert_eq!(unescape(&decimal).unwrap(), c.to_string());
        prop_assert_eq!(unescape(&hex).unwrap(), c.to_string());
    }

    #[test]
    fn decoding_arbitrary_text_never_panics_or_grows(text in "\\PC{0,64}|[&;#x0-9a-z]{0,64}") {
        if let Ok(decoded) = unescape(&text) {
            prop_assert!(decoded.len() <= text.len());
            prop_assert_eq!(unescape_lenient(&text), decoded);
        }
        prop_assert!(unescape_lenient(&text).len() <= text.len());
    }
}
