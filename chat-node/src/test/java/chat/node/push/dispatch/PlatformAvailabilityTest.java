package chat.node.push.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import chat.protocol.PushPlatform;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class PlatformAvailabilityTest {

  private final AtomicLong now = new AtomicLong();
  private final DispatchCounters counters = new DispatchCounters();
  private final PlatformAvailability availability =
      new PlatformAvailability(counters, Duration.ofSeconds(30), now::get);
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeEach
  void captureLog() {
    logged.start();
    logger().addAppender(logged);
  }

  @AfterEach
  void releaseLog() {
    logger().detachAppender(logged);
  }

  @Test
  void anErrorWhenAPlatformBecomesUnavailableThenOnePerIntervalAndAnInfoWhenItIsBack() {
    availability.hold(PushPlatform.FCM);
    for (int i = 0; i < 100; i++) {
      availability.refused(PushPlatform.FCM, "UNAUTHENTICATED");
      now.addAndGet(Duration.ofMillis(100).toNanos());
    }
    // 10 s of refusals: one line
    assertEquals(1, errors().size());
    assertTrue(errors().get(0).contains("FCM unavailable (UNAUTHENTICATED)"), errors().get(0));
    assertTrue(availability.unavailable(PushPlatform.FCM));
    assertFalse(availability.unavailable(PushPlatform.APNS));

    now.addAndGet(Duration.ofSeconds(20).toNanos());
    availability.refused(PushPlatform.FCM, "not configured: no token");
    assertEquals(2, errors().size());
    assertEquals("FCM still unavailable after 30 s (not configured: no token): 100 refusals since the last report, "
        + "1 devices held", errors().get(1));
    availability.refused(PushPlatform.FCM, "UNAUTHENTICATED");
    assertEquals(2, errors().size());

    availability.usable(PushPlatform.FCM);
    availability.usable(PushPlatform.FCM);
    availability.release(PushPlatform.FCM);
    assertFalse(availability.unavailable(PushPlatform.FCM));
    List<String> infos = logged.list.stream().filter(e -> e.getLevel() == Level.INFO)
        .map(ILoggingEvent::getFormattedMessage).toList();
    assertEquals(List.of("FCM available again after 30 s of refusals: 1 held devices resume"), infos);
    assertEquals(102, counters.unavailable());
    assertEquals(0, counters.held());

    // down again later: reported again at once
    availability.refused(PushPlatform.FCM, "UNAUTHENTICATED");
    assertEquals(3, errors().size());
  }

  @Test
  void platformsAreReportedEachOnTheirOwn() {
    availability.refused(PushPlatform.FCM, "UNAUTHENTICATED");
    availability.refused(PushPlatform.APNS, "ExpiredProviderToken");
    availability.refused(PushPlatform.APNS, "ExpiredProviderToken");
    assertEquals(2, errors().size());
    assertTrue(errors().get(1).startsWith("APNS unavailable (ExpiredProviderToken)"), errors().get(1));
    availability.usable(PushPlatform.APNS);
    assertTrue(availability.unavailable(PushPlatform.FCM));
    assertFalse(availability.unavailable(PushPlatform.APNS));
  }

  private List<String> errors() {
    return logged.list.stream().filter(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private static Logger logger() {
    return (Logger) LoggerFactory.getLogger(PlatformAvailability.class);
  }
}
