package chat.node.push.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialTest {

  @Test
  void aFixedValueOrNothing() {
    assertEquals(Optional.of("ya29.token"), new Credential(" ya29.token\n", Optional.empty()).get());
    Credential none = new Credential("", Optional.empty());
    assertEquals(Optional.empty(), none.get());
    assertFalse(none.configured());
  }

  @Test
  void aFileIsReadAgainWhenItChangesAndItsLastContentSurvivesItsBriefAbsence(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("token");
    Credential credential = new Credential("ignored", Optional.of(file.toString()), Duration.ZERO);
    assertTrue(credential.configured());
    assertEquals(Optional.empty(), credential.get());

    Files.writeString(file, "first\n");
    Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2025-01-01T00:00:00Z")));
    assertEquals(Optional.of("first"), credential.get());

    Files.writeString(file, "second");
    Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2025-01-01T00:30:00Z")));
    assertEquals(Optional.of("second"), credential.get());

    Files.delete(file);
    assertEquals(Optional.of("second"), credential.get());
  }
}
