package p2pshare.balancer;

import p2pshare.cluster.EnvConfig;
import p2pshare.cluster.OperatorAccess;

/**
 * What guards the balancer's routes (issue 14): whose address a limit counts, who may see the
 * operator routes, how often one address may look rooms up, and the headers of every answer.
 */
record BalancerSecurity(
    ClientAddress clientAddress,
    OperatorAccess operatorAccess,
    RateLimiter roomLookupLimiter,
    SecurityHeaders headers,
    ConnectSources connectSources) {

  /**
   * GET /api/rooms/{id} per client address: a burst of 120, then 2 a second. A browser looks up one
   * room per join or reconnect; a script guessing ids gets 7,200 an hour, not 2,000 a second.
   */
  static final int ROOM_LOOKUP_BURST = 120;

  static final double ROOM_LOOKUP_REFILL_PER_SECOND = 2.0;

  static BalancerSecurity forEnv(EnvConfig env, RateLimiter roomLookupLimiter) {
    return new BalancerSecurity(
        new ClientAddress(env.trustedProxies()),
        OperatorAccess.forEnv(env),
        roomLookupLimiter,
        new SecurityHeaders(env.assetBaseUrl()),
        new ConnectSources());
  }
}
