//! Commands (client to server).
