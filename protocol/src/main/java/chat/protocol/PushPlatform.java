package chat.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a device's push token comes from. */
public enum PushPlatform {
  /** Firebase Cloud Messaging (Android, and web or iOS apps that use Firebase). */
  @JsonProperty("fcm")
  FCM,
  /** Apple Push Notification service. */
  @JsonProperty("apns")
  APNS
}
