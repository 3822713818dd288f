//! The clock read by `ctx:now_s` / `ctx:now_ms`, for the interpreter and generated code alike.

/// The clock used for `ctx:now_s` / `ctx:now_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// Milliseconds since the unix epoch. `ctx:now_s` is this divided by 1000, rounded down.
    pub now_ms: i64,
}

/// A time in unix seconds whose milliseconds do not fit an `i64` (see [`Clock::try_from_secs`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{secs} unix seconds is out of range: at most {} either way", i64::MAX / 1000)]
pub struct ClockRangeError {
    /// The seconds given.
    pub secs: i64,
}

impl Clock {
    /// A fixed time, unix seconds.
    ///
    /// # Panics
    ///
    /// When `secs * 1000` does not fit an `i64` (beyond about ±292 million years); use
    /// [`Clock::try_from_secs`] for a time that comes from input.
    pub fn from_secs(secs: i64) -> Self {
        Self::try_from_secs(secs).unwrap_or_else(|e| panic!("Clock::from_secs: {e}"))
    }

    /// A fixed time, unix seconds; an error when its milliseconds do not fit an `i64`.
    ///
    /// ```
    /// use payspec::Clock;
    /// assert_eq!(Clock::try_from_secs(1_700_000_000).unwrap().now_ms, 1_700_000_000_000);
    /// assert!(Clock::try_from_secs(i64::MAX).is_err());
    /// ```
    pub fn try_from_secs(secs: i64) -> Result<Self, ClockRangeError> {
        secs.checked_mul(1000).map(|now_ms| Clock { now_ms }).ok_or(ClockRangeError { secs })
    }

    /// The system clock.
    pub fn system() -> Self {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        Clock { now_ms: ms }
    }
}
