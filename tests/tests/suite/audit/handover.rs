//! Second review (issue 26): the guardian's veto over the timelock survives any hand-over the
//! admin controls.
use super::*;
use keel::state::Role;

/// Issue 26, medium: a hijacked admin proposed its own guardian and had it accept in the same
/// block; the real guardian's veto (cancel_change) was gone before the queued loosening matured.
#[tokio::test]
async fn the_admin_cannot_seat_its_own_guardian_at_once() {
    let mut w = sol_usdc().await;
    raise_delay(&mut w, DAY).await;
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
    assert_keel_error(
        w.send_as(&usurper, std::slice::from_ref(&accept)).await,
        KeelError::GuardianHandoverTimelocked,
    );
    assert_eq!(w.pool_state().await.guardian, w.guardian.pubkey());
    // the sitting guardian vetoes it; nothing is left to accept, even after the delay
    let guardian = w.guardian.insecure_clone();
    let veto = kix::veto_guardian_handover(guardian.pubkey(), w.pool);
    w.send_as(&guardian, &[veto]).await.unwrap();
    w.env.warp(DAY).await;
    assert_keel_error(
        w.send_as(&usurper, std::slice::from_ref(&accept)).await,
        KeelError::NoPendingAuthority,
    );
    // an honest hand-over goes through once its delay has passed
    let successor = Keypair::new();
    keel_tests::world::fund(&mut w.env, &successor.pubkey(), 1_000_000_000);
    let propose = kix::set_pending_authority(
        admin.pubkey(),
        w.pool,
        Role::Guardian,
        Some(successor.pubkey()),
    );
    w.send_as(&admin, &[propose]).await.unwrap();
    w.env.warp(DAY).await;
    let accept = kix::accept_authority(successor.pubkey(), w.pool, Role::Guardian);
    w.send_as(&successor, &[accept]).await.unwrap();
    assert_eq!(w.pool_state().await.guardian, successor.pubkey());
}
