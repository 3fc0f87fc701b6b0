package chat.loadtest.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PekkoHttpBaselineTest {

  @Test
  void theLiveHeapIsTheHistogramsTotal() {
    String histogram = """
        12345:
         num     #instances         #bytes  class name (module)
        -------------------------------------------------------
           1:         70871        5623136  [B (java.base@17.0.15)
           2:         68551        1645224  java.lang.String (java.base@17.0.15)
        Total        487016       26915864
        """;
    assertEquals(26_915_864L, PekkoHttpBaseline.histogramTotal(histogram));
  }

  @Test
  void aHistogramWithoutTotalIsAnError() {
    assertThrows(IllegalArgumentException.class, () -> PekkoHttpBaseline.histogramTotal("12345:\nno such process\n"));
  }
}
