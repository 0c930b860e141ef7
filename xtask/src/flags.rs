//! Reading `--flag value` command lines, as `cargo xtask conformance` and `cargo xtask soak`
//! take them.

/// The value that follows `flag` on the command line: the next item of `rest`, or an error
/// saying that `flag` needs a value.
///
/// ```
/// let args = ["--seed".to_owned(), "7".to_owned()];
/// let mut rest = args.iter();
/// let flag = rest.next().unwrap();
/// assert_eq!(xtask::flags::value_of(&mut rest, flag), Ok("7".to_owned()));
/// assert_eq!(
///     xtask::flags::value_of(&mut rest, "--seed"),
///     Err("--seed needs a value".to_owned())
/// );
/// ```
pub fn value_of<'a>(
    rest: &mut impl Iterator<Item = &'a String>,
    flag: &str,
) -> Result<String, String> {
    rest.next()
        .cloned()
        .ok_or_else(|| format!("{flag} needs a value"))
}
