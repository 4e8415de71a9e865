//! Resources of the Managed Agents API (sessions, agents, memory, dreams, deployments …).
//! Owner: api helper.
