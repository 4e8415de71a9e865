//! Every documented session event type, forward compatible (unknown → raw JSON kept).
//! Owner: api helper.
