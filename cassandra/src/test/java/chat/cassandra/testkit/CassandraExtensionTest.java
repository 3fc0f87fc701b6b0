package chat.cassandra.testkit;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import chat.cassandra.SchemaMigrator;
import org.junit.jupiter.api.Test;

class CassandraExtensionTest {

  @Test
  void keyspaceNamesAreValidUniqueAndReadable() {
    String name = CassandraExtension.keyspaceName(RoomJournalIT.class);
    assertTrue(name.matches("room_journal_it_[0-9a-f]{8}"), name);
    assertNotEquals(name, CassandraExtension.keyspaceName(RoomJournalIT.class));
    for (Class<?> type : new Class<?>[] {RoomJournalIT.class, A.class, ThisIsAVeryLongTestClassNameThatGoesOnAndOnForeverIT.class,
        HTTPServerIT.class}) {
      SchemaMigrator.requireValidKeyspace(CassandraExtension.keyspaceName(type));
    }
    assertTrue(CassandraExtension.keyspaceName(HTTPServerIT.class).startsWith("httpserver_it_"));
  }

  private static final class RoomJournalIT {
  }

  private static final class A {
  }

  private static final class ThisIsAVeryLongTestClassNameThatGoesOnAndOnForeverIT {
  }

  private static final class HTTPServerIT {
  }
}
