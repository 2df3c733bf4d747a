//! Keel's integration suite on the real runtime. One binary, one module per area.
#![allow(deprecated)]

mod admin;
mod audit;
mod cascade;
mod cli;
mod common;
mod delegates;
mod emode;
mod fee_routing;
mod figures;
mod flash;
mod flash_liquidation;
mod frontier;
mod governance;
mod incidents;
mod interest;
mod lifecycle;
mod liquidation;
mod liquidator;
mod localnet_bot;
mod localnet_http;
mod oracle;
mod orders;
mod orders_clients;
mod quiet;
mod refusals;
mod remaining;
mod sdk;
mod second_source;
mod security;
mod security_checks;
mod size_aware;
mod stateful;
