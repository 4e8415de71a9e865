//! `:threads` state: the watched session's thread tree (kept live from its feed whatever the
//! view), the tree cursor, and the agent-to-agent conversation with its own cursor. Also the
//! watched session's burn rate (from the same feed's `session.usage` events).

use crate::app::fetch::Fetch;
use crate::model::nav::Nav;
use crate::model::spend::BurnRate;
use crate::model::threads::ThreadTree;

/// Seconds between thread listings while `:threads` is open (usage and statuses of threads
/// whose events are not on the primary stream).
pub const THREADS_POLL_SECS: u64 = 5;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ThreadsView {
    /// The watched session's tree (reset when another session is watched).
    pub tree: ThreadTree,
    /// Row of the tree under the cursor.
    pub nav: Nav,
    /// The right side shows the conversation instead of the event stream.
    pub conversation: bool,
    /// Message under the cursor and the first one shown.
    pub conv_nav: Nav,
    pub fetch: Fetch,
    /// The watched session's cost samples (`session.usage`), for the burn rate.
    pub burn: BurnRate,
}

impl ThreadsView {
    /// Start over for another session.
    pub fn reset(&mut self, session_id: &str) {
        *self = ThreadsView {
            tree: ThreadTree::new(session_id),
            ..Default::default()
        };
    }
}
