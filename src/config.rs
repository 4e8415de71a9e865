//! Configuration: profiles, key source, theme, keymap overrides. Owner: lead.
