//! Second review (issue 26): the guardian's veto over the timelock survives any hand-over the
//! admin controls.
use super::*;
use keel::state::Role;

/// Issue 26, medium: a hijacked admin proposed its own guardian and had it accept in the same
/// block; the real guardian's veto (cancel_change) was gone before the queued loosening matured.
#[tokio::test]
async fn the_admin_cannot_seat_its_own_guardian_at_once() {
    let mut w = sol_usdc().await;
    let admin = w.admin.insecure_clone();
    let usurper = Keypair::new();
    keel_tests::world::fund(&mut w.env, &usurper.pubkey(), 1_000_000_000);
    let propose = kix::set_pending_authority(
        admin.pubkey(),
        w.pool,
        Role::Guardian,
        Some(usurper.pubkey()),
    );
    w.send_as(&admin, &[propose]).await.unwrap();
    let accept = kix::accept_authority(usurper.pubkey(), w.pool, Role::Guardian);
    let seated = w.send_as(&usurper, &[accept]).await;
    assert!(seated.is_err(), "a new guardian was seated at once");
    assert_eq!(w.pool_state().await.guardian, w.guardian.pubkey());
}
