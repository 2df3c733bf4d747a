//! Keel's integration suite on the real runtime. One binary, one module per area.
#![allow(deprecated)]

mod lifecycle;
