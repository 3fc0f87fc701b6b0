package chat.node.gateway;

import chat.node.user.UserSession;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Who a request comes from: the authenticated user, the device (null without one), and the connection
 * itself, for requests that register it somewhere (presence watches).
 */
record Caller(String userId, String deviceId, String connectionId, ActorRef<UserSession.ToConnection> deliveries) {}
