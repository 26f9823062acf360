package io.tux.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The exit summary line as tux-spi prints it, parsed field by field (no privileges needed). */
class TuxSummaryTest {

    @Test
    void allOnTux() {
        TuxSummary s = TuxSummary.parse("Tux summary: connections 6 (tux 6, kernel 0), bytes kernel in 0 out 107, "
                + "bytes tux in 21130953 out 20851009");
        assertEquals(new TuxSummary(s.line(), 6, 6, 0, Map.of(), 0, 0, 107, 21130953, 20851009), s);
    }

    @Test
    void reasonsAndUndecidedAndUnavailability() {
        TuxSummary s = TuxSummary.parse("Tux summary: connections 9 (tux 1, kernel 6: PEER_NOT_TUX=5 NO_ROUTE=1, "
                + "undecided 2), bytes kernel in 10 out 20, bytes tux in 30 out 40; Tux unavailable: NO_PRIVILEGE");
        assertEquals(9, s.connections());
        assertEquals(1, s.tux());
        assertEquals(6, s.kernel());
        assertEquals(Map.of("PEER_NOT_TUX", 5L, "NO_ROUTE", 1L), s.kernelByReason());
        assertEquals(2, s.undecided());
        assertEquals(10, s.kernelIn());
        assertEquals(20, s.kernelOut());
        assertEquals(30, s.tuxIn());
        assertEquals(40, s.tuxOut());
    }

    @Test
    void oneLinePerTranscript() {
        assertThrows(AssertionError.class, () -> TuxSummary.of("no summary here\n"));
        String line = "Tux summary: connections 1 (tux 0, kernel 1: PEER_NOT_TUX=1), bytes kernel in 5 out 5, "
                + "bytes tux in 0 out 0";
        assertThrows(AssertionError.class, () -> TuxSummary.of(line + "\n" + line + "\n"));
        assertEquals(1, TuxSummary.of("LISTENING 1\n" + line + "\n").kernelByReason().get("PEER_NOT_TUX"));
        assertThrows(AssertionError.class, () -> TuxSummary.parse("Tux summary: connections x"));
    }
}
