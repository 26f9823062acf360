package io.tux.integration;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The line {@code -Dtux.summaryAtExit=true} prints at exit, parsed:
 * {@code Tux summary: connections N (tux T, kernel K[: REASON=n REASON=n ...][, undecided U]), bytes kernel in a
 * out b, bytes tux in c out d}.
 *
 * @param line the line as printed
 * @param kernelByReason connections on kernel TCP by reason, in the printed order
 */
record TuxSummary(String line, long connections, long tux, long kernel, Map<String, Long> kernelByReason,
                  long undecided, long kernelIn, long kernelOut, long tuxIn, long tuxOut) {

    private static final Pattern LINE = Pattern.compile("Tux summary: connections (\\d+) \\(tux (\\d+), kernel (\\d+)"
            + "(?:: ([A-Z_=0-9 ]+))?(?:, undecided (\\d+))?\\), bytes kernel in (\\d+) out (\\d+),"
            + " bytes tux in (\\d+) out (\\d+).*");

    /** The one summary line of a child's transcript; fails if there is none, or more than one. */
    static TuxSummary of(String transcript) {
        List<String> lines = transcript.lines().filter(s -> s.startsWith("Tux summary: ")).toList();
        if (lines.size() != 1) {
            throw new AssertionError("expected one 'Tux summary:' line, found " + lines.size() + " in:\n" + transcript);
        }
        return parse(lines.get(0));
    }

    static TuxSummary parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            throw new AssertionError("not a Tux summary line: " + line);
        }
        Map<String, Long> reasons = new LinkedHashMap<>();
        if (m.group(4) != null) {
            for (String part : m.group(4).trim().split("\\s+")) {
                String[] kv = part.trim().split("=");
                reasons.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return new TuxSummary(line, Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                Long.parseLong(m.group(3)), reasons, m.group(5) == null ? 0 : Long.parseLong(m.group(5)),
                Long.parseLong(m.group(6)), Long.parseLong(m.group(7)), Long.parseLong(m.group(8)),
                Long.parseLong(m.group(9)));
    }
}
