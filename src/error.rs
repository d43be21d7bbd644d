//! Errors reported to the user: one line naming the file, the field and the reason (SPEC §7).

use std::fmt;

/// A user-facing error. `Display` is always a single line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A value in an input file is malformed, out of range, or makes the instance infeasible.
    Input {
        file: String,
        field: String,
        reason: String,
    },
    /// The file cannot be read or parsed at all.
    File { file: String, reason: String },
    /// A command-line argument is invalid.
    Usage(String),
    /// Writing an output failed.
    Output { file: String, reason: String },
}

impl Error {
    /// An error about `field` of `file`.
    pub fn input(file: &str, field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Input {
            file: file.to_string(),
            field: field.into(),
            reason: one_line(&reason.into()),
        }
    }

    /// An error about the file as a whole.
    pub fn file(file: &str, reason: impl Into<String>) -> Self {
        Error::File {
            file: file.to_string(),
            reason: one_line(&reason.into()),
        }
    }

    /// Process exit code: 2 for unreadable or malformed input and usage errors.
    pub fn exit_code(&self) -> i32 {
        2
    }
}

/// Folds a multi-line message (e.g. a TOML parser's caret diagram) into one line.
pub fn one_line(s: &str) -> String {
    s.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input {
                file,
                field,
                reason,
            } => write!(f, "{file}: field `{field}`: {reason}"),
            Error::File { file, reason } => write!(f, "{file}: {reason}"),
            Error::Usage(reason) => write!(f, "usage: {reason}"),
            Error::Output { file, reason } => write!(f, "{file}: cannot write: {reason}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<dlncheck_kernel::Error> for Error {
    fn from(e: dlncheck_kernel::Error) -> Self {
        match e.field {
            Some(field) => Error::Input {
                file: e.file,
                field,
                reason: e.reason,
            },
            None => Error::File {
                file: e.file,
                reason: e.reason,
            },
        }
    }
}

/// Result alias used across the crate.
pub type Result<T> = std::result::Result<T, Error>;
