//! A fast incremental SSE frame parser (bytes in, `event`/`data` frames out).
//! Owner: feed helper.
