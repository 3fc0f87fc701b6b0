package chat.protocol;

/** The limits a server enforces, announced in {@link AckResult.Welcome}. */
public record Limits(
    int maxFrameBytes,
    int maxBodyBytes,
    int maxHistoryLimit,
    int maxRoomMembers,
    int maxInFlightRequests) {}
