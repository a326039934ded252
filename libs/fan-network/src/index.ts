/**
 * @app/fan-network — the Fan overlay network: maps each member's underlay address to a container
 * subnet so that containers on different members can reach each other without a central router.
 */
export {};
