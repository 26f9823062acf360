package io.tux.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns one JMH run (its {@code -rf json} file) and the CPU records of the network benchmarks into
 * {@code latest.json}, {@code latest.md} (per case: the JDK figure, the Tux figures and their ratio to the JDK)
 * and {@code latest.svg} (a bar chart of the latency and throughput ratios).
 *
 * <p>A case is one benchmark with one set of parameters other than {@code provider}; its figures are, per
 * provider case ({@code jdk}, {@code tux}, {@code tux-peer-jdk}): mean, p50 and p99 (latency benchmarks),
 * throughput, and the CPU time per operation of both ends together, of the client and of the peer. Results without a {@code provider}
 * parameter (the engine benchmark) are left out of the table.
 *
 * <p>Threading: stateless static methods.
 */
public final class Report {
    /** Provider cases in column order. */
    static final List<String> PROVIDERS = List.of("jdk", "tux", "tux-peer-jdk");

    private Report() {}

    /** Where and how a run was measured; printed at the top of the table. */
    public record Machine(String cpus, String model, String kernel, String jdk) {
        /** This machine: {@code nproc}, the model name of /proc/cpuinfo, {@code uname -r}, this JVM's version. */
        public static Machine detect() {
            String model = "unknown";
            try {
                model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                        .filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                        .findFirst().orElse("unknown");
            } catch (IOException e) {
                // keep "unknown"
            }
            String kernel = System.getProperty("os.name") + " " + System.getProperty("os.version");
            String jdk = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
            return new Machine(Integer.toString(Runtime.getRuntime().availableProcessors()), model, kernel, jdk);
        }
    }

    /**
     * One row of the table: a case, one metric, its value per provider case (absent: not measured).
     *
     * @param higherIsBetter true for throughput, false for latency and CPU time
     * @param latencyOrThroughput true for the rows the chart shows
     */
    public record Row(String caseName, String path, String metric, String unit, boolean higherIsBetter,
                      boolean latencyOrThroughput, Map<String, Double> values) {
        /** {@code values[provider] / values[jdk]}, or null if either is missing or the JDK figure is 0. */
        public Double ratio(String provider) {
            Double v = values.get(provider);
            Double base = values.get("jdk");
            if (v == null || base == null || base == 0) {
                return null;
            }
            return v / base;
        }
    }

    /** The rows of a run: JMH results ({@code jmh}, the parsed -rf json array) and CPU records. */
    @SuppressWarnings("unchecked")
    public static List<Row> rows(List<Object> jmh, List<Map<String, Object>> cpuRecords) {
        // case key -> (metric name -> row builder)
        Map<CaseKey, Map<String, Row>> cases = new TreeMap<>();
        for (Object o : jmh) {
            Map<String, Object> r = (Map<String, Object>) o;
            Map<String, Object> params = (Map<String, Object>) r.getOrDefault("params", Map.of());
            Object provider = params.get("provider");
            if (provider == null) {
                continue;
            }
            String benchmark = (String) r.get("benchmark");
            String mode = (String) r.get("mode");
            CaseKey key = CaseKey.of(benchmark, params);
            Map<String, Row> metrics = cases.computeIfAbsent(key, k -> new LinkedHashMap<>());
            Map<String, Object> primary = (Map<String, Object>) r.get("primaryMetric");
            String unit = shortUnit((String) primary.get("scoreUnit"));
            switch (mode) {
                case "avgt" -> put(metrics, key, "mean", unit, false, true, (String) provider, num(primary.get("score")));
                case "sample" -> {
                    Map<String, Object> pct = (Map<String, Object>) primary.get("scorePercentiles");
                    put(metrics, key, "p50", unit, false, false, (String) provider, num(pct.get("50.0")));
                    put(metrics, key, "p99", unit, false, true, (String) provider, num(pct.get("99.0")));
                }
                case "thrpt" -> {
                    Map<String, Object> secondary = (Map<String, Object>) r.getOrDefault("secondaryMetrics", Map.of());
                    Map<String, Object> gets = (Map<String, Object>) secondary.get("gets");
                    if (gets != null) {
                        put(metrics, key, "throughput", "GET/s", true, true, (String) provider, num(gets.get("score")));
                    } else {
                        String u = benchmark.endsWith("BulkBenchmark.mebibyte") ? "MiB/s" : unit;
                        put(metrics, key, "throughput", u, true, true, (String) provider, num(primary.get("score")));
                    }
                }
                default -> { }
            }
        }
        // CPU records: per case and provider, those of the preferred mode, summed over forks
        Map<CaseKey, Map<String, Map<String, Object>>> cpu = new TreeMap<>();
        for (Map<String, Object> c : cpuRecords) {
            Map<String, Object> params = (Map<String, Object>) c.get("params");
            String provider = (String) params.get("provider");
            CaseKey key = CaseKey.of((String) c.get("benchmark"), params);
            Map<String, Map<String, Object>> byProvider = cpu.computeIfAbsent(key, k -> new TreeMap<>());
            Map<String, Object> old = byProvider.get(provider);
            int rank = modeRank((String) c.get("mode"));
            if (old == null || rank < modeRank((String) old.get("mode"))) {
                byProvider.put(provider, new LinkedHashMap<>(c));
            } else if (rank == modeRank((String) old.get("mode"))) {
                for (String f : List.of("ops", "clientCpuNs", "peerCpuNs")) {
                    old.put(f, num(old.get(f)) + num(c.get(f)));
                }
            }
        }
        for (Map.Entry<CaseKey, Map<String, Map<String, Object>>> e : cpu.entrySet()) {
            Map<String, Row> metrics = cases.get(e.getKey());
            if (metrics == null) {
                continue; // CPU of a trial whose JMH result is missing: nothing to put it beside
            }
            for (Map.Entry<String, Map<String, Object>> p : e.getValue().entrySet()) {
                double ops = num(p.getValue().get("ops"));
                if (ops <= 0) {
                    continue;
                }
                String per = "us/" + opName(e.getKey().benchmark);
                put(metrics, e.getKey(), "CPU client", per, false, false, p.getKey(),
                        num(p.getValue().get("clientCpuNs")) / ops / 1000.0);
                put(metrics, e.getKey(), "CPU peer", per, false, false, p.getKey(),
                        num(p.getValue().get("peerCpuNs")) / ops / 1000.0);
                // the kernel's share of the network path is charged to whichever end's thread runs it: the sum
                // is the figure to compare
                put(metrics, e.getKey(), "CPU both", per, false, false, p.getKey(),
                        (num(p.getValue().get("clientCpuNs")) + num(p.getValue().get("peerCpuNs"))) / ops / 1000.0);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (Map<String, Row> metrics : cases.values()) {
            metrics.values().stream().sorted(Comparator.comparingInt(r -> metricRank(r.metric()))).forEach(rows::add);
        }
        return rows;
    }

    private static void put(Map<String, Row> metrics, CaseKey key, String metric, String unit, boolean higher,
                            boolean chart, String provider, double value) {
        Row row = metrics.computeIfAbsent(metric,
                m -> new Row(key.label(), key.path(), m, unit, higher, chart, new TreeMap<>()));
        row.values().put(provider, value);
    }

    private static int modeRank(String mode) {
        return switch (mode) {
            case "avgt" -> 0;
            case "thrpt" -> 1;
            default -> 2;
        };
    }

    private static int metricRank(String metric) {
        return switch (metric) {
            case "mean" -> 0;
            case "p50" -> 1;
            case "p99" -> 2;
            case "throughput" -> 3;
            case "CPU both" -> 4;
            case "CPU client" -> 5;
            default -> 6;
        };
    }

    private static String opName(String benchmark) {
        if (benchmark.endsWith("KvBenchmark.get")) {
            return "GET";
        }
        if (benchmark.endsWith("BulkBenchmark.mebibyte")) {
            return "MiB";
        }
        if (benchmark.endsWith("ConnectBenchmark.connectToFirstByte")) {
            return "conn";
        }
        return "op";
    }

    private static String shortUnit(String jmhUnit) {
        return switch (jmhUnit) {
            case "us/op" -> "us";
            case "ns/op" -> "ns";
            case "ms/op" -> "ms";
            default -> jmhUnit;
        };
    }

    private static double num(Object o) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        if (o instanceof String s) {
            return Double.parseDouble(s); // JMH writes "NaN" as a string
        }
        throw new IllegalArgumentException("not a number: " + o);
    }

    /** A benchmark and its parameters other than provider; ordered as the table lists cases. */
    record CaseKey(String benchmark, Map<String, String> params) implements Comparable<CaseKey> {
        static CaseKey of(String benchmark, Map<String, Object> params) {
            Map<String, String> p = new TreeMap<>();
            params.forEach((k, v) -> {
                if (!k.equals("provider")) {
                    p.put(k, String.valueOf(v));
                }
            });
            return new CaseKey(benchmark, p);
        }

        String shortName() {
            int dot = benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1);
            return benchmark.substring(dot + 1);
        }

        int order() {
            return switch (shortName()) {
                case "PingPongBenchmark.roundTrip" -> 0;
                case "KvBenchmark.get" -> 1;
                case "BulkBenchmark.mebibyte" -> 2;
                case "ConnectBenchmark.connectToFirstByte" -> 3;
                default -> 4;
            };
        }

        String label() {
            return switch (shortName()) {
                case "PingPongBenchmark.roundTrip" -> "ping-pong " + params.get("size") + " B";
                case "KvBenchmark.get" -> "kv GET, " + params.get("connections") + " conn, depth " + params.get("depth");
                case "BulkBenchmark.mebibyte" -> "bulk stream";
                case "ConnectBenchmark.connectToFirstByte" -> "connect to first byte";
                default -> {
                    StringBuilder b = new StringBuilder(shortName());
                    params.forEach((k, v) -> {
                        if (!k.equals("transport")) {
                            b.append(' ').append(k).append('=').append(v);
                        }
                    });
                    yield b.toString();
                }
            };
        }

        String path() {
            return params.getOrDefault("transport", "");
        }

        @Override
        public int compareTo(CaseKey o) {
            int c = Integer.compare(order(), o.order());
            if (c != 0) {
                return c;
            }
            c = benchmark.compareTo(o.benchmark);
            if (c != 0) {
                return c;
            }
            c = path().compareTo(o.path());
            if (c != 0) {
                return c;
            }
            for (String k : params.keySet()) {
                String a = params.get(k);
                String b = o.params.getOrDefault(k, "");
                c = a.matches("\\d+") && b.matches("\\d+") ? Long.compare(Long.parseLong(a), Long.parseLong(b))
                        : a.compareTo(b);
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(params.size(), o.params.size());
        }
    }

    /** A figure with three significant digits or so, "–" if absent. */
    static String figure(Double v) {
        if (v == null || v.isNaN()) {
            return "–";
        }
        double a = Math.abs(v);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** A ratio with two decimals, "–" if absent. */
    static String ratio(Double r) {
        return r == null ? "–" : String.format(Locale.ROOT, "%.2f", r);
    }

    /** The markdown report: header with the machine, then the table. */
    public static String markdown(List<Row> rows, Map<String, Integer> tuxModes, Machine machine, String runMode,
                                  String measuredAt) {
        StringBuilder b = new StringBuilder();
        b.append("# Tux beside the JDK provider\n\n");
        b.append("Measured ").append(measuredAt).append(" (").append(runMode).append(" run) on ")
                .append(machine.cpus()).append(" CPUs (nproc), ").append(machine.model()).append(", ")
                .append(machine.kernel()).append(", ").append(machine.jdk()).append(".\n\n");
        b.append("Tux/JDK is the Tux figure divided by the JDK figure: below 1 is better for latency and CPU time, "
                + "above 1 is better for throughput. \"Tux, peer JDK\" runs Tux on the client only (the cost of "
                + "fallback). – means not measured (that case failed; the run log says why).\n\n");
        if (!tuxModes.isEmpty()) {
            b.append("Transport of the Tux client's connections (at the end of each trial): ");
            int i = 0;
            for (Map.Entry<String, Integer> e : tuxModes.entrySet()) {
                b.append(i++ == 0 ? "" : ", ").append(e.getKey()).append(" in ").append(e.getValue())
                        .append(e.getValue() == 1 ? " trial" : " trials");
            }
            b.append(".\n\n");
        }
        b.append("| case | path | metric | unit | JDK | Tux | Tux/JDK | Tux, peer JDK | ratio |\n");
        b.append("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
        for (Row r : rows) {
            b.append("| ").append(r.caseName()).append(" | ").append(r.path()).append(" | ").append(r.metric())
                    .append(" | ").append(r.unit()).append(" | ").append(figure(r.values().get("jdk")))
                    .append(" | ").append(figure(r.values().get("tux"))).append(" | ").append(ratio(r.ratio("tux")))
                    .append(" | ").append(figure(r.values().get("tux-peer-jdk"))).append(" | ")
                    .append(ratio(r.ratio("tux-peer-jdk"))).append(" |\n");
        }
        return b.toString();
    }

    /**
     * How often each transport ({@code clientMode} of the CPU records: {@code KERNEL (NOT_IMPLEMENTED)}, {@code TUX},
     * ...) carried the client's connection in the trials whose client ran Tux; sorted by name.
     */
    public static Map<String, Integer> tuxModes(List<Map<String, Object>> cpuRecords) {
        Map<String, Integer> modes = new TreeMap<>();
        for (Map<String, Object> c : cpuRecords) {
            @SuppressWarnings("unchecked")
            Map<String, Object> params = (Map<String, Object>) c.get("params");
            Object mode = c.get("clientMode");
            if (mode != null && !"jdk".equals(params.get("provider"))) {
                modes.merge((String) mode, 1, Integer::sum);
            }
        }
        return modes;
    }

    /** The JSON report: machine, run, transports of the Tux clients, and every row with its values and ratios. */
    public static String json(List<Row> rows, Map<String, Integer> tuxModes, Machine machine, String runMode,
                              String measuredAt) {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpus", machine.cpus());
        m.put("model", machine.model());
        m.put("kernel", machine.kernel());
        m.put("jdk", machine.jdk());
        root.put("machine", m);
        root.put("run", runMode);
        root.put("measuredAt", measuredAt);
        Map<String, Object> modes = new LinkedHashMap<>();
        tuxModes.forEach((k, v) -> modes.put(k, v.doubleValue()));
        root.put("tuxClientTransport", modes);
        List<Object> list = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("case", r.caseName());
            o.put("path", r.path());
            o.put("metric", r.metric());
            o.put("unit", r.unit());
            o.put("better", r.higherIsBetter() ? "higher" : "lower");
            Map<String, Object> values = new LinkedHashMap<>();
            Map<String, Object> ratios = new LinkedHashMap<>();
            for (String p : PROVIDERS) {
                values.put(p, r.values().get(p));
                if (!p.equals("jdk")) {
                    ratios.put(p, r.ratio(p));
                }
            }
            o.put("values", values);
            o.put("ratioToJdk", ratios);
            list.add(o);
        }
        root.put("rows", list);
        return Json.write(root) + "\n";
    }

    private static final int SVG_WIDTH = 1000;
    private static final int LABEL_WIDTH = 450;
    private static final int BAR_HEIGHT = 9;
    private static final int ROW_HEIGHT = 24;
    private static final int TOP = 60;

    /** A bar chart of the Tux/JDK ratios of the latency and throughput rows, as SVG text. */
    public static String svg(List<Row> rows, Machine machine, String measuredAt) {
        List<Row> shown = rows.stream().filter(Row::latencyOrThroughput).toList();
        double max = 2.0;
        for (Row r : shown) {
            for (String p : PROVIDERS.subList(1, PROVIDERS.size())) {
                Double x = r.ratio(p);
                if (x != null && x > max) {
                    max = Math.ceil(x);
                }
            }
        }
        int plot = SVG_WIDTH - LABEL_WIDTH - 70;
        int height = TOP + Math.max(1, shown.size()) * ROW_HEIGHT + 50;
        StringBuilder b = new StringBuilder();
        b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", SVG_WIDTH, height,
                SVG_WIDTH, height));
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        b.append("<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">")
                .append(xml("Tux / JDK (latency: lower is better; throughput: higher is better)")).append("</text>\n");
        b.append("<text x=\"10\" y=\"38\" fill=\"#555\">").append(xml(measuredAt + ", " + machine.cpus() + " CPUs, "
                + machine.model() + ", " + machine.kernel())).append("</text>\n");
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"44\" width=\"10\" height=\"10\" fill=\"#1f77b4\"/>"
                + "<text x=\"%d\" y=\"53\">Tux</text>%n", LABEL_WIDTH, LABEL_WIDTH + 14));
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"44\" width=\"10\" height=\"10\" fill=\"#ff7f0e\"/>"
                + "<text x=\"%d\" y=\"53\">Tux, peer JDK</text>%n", LABEL_WIDTH + 60, LABEL_WIDTH + 74));
        if (shown.isEmpty()) {
            b.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\">no results</text>%n", TOP + 16));
        }
        for (int i = 0; i < shown.size(); i++) {
            Row r = shown.get(i);
            int y = TOP + i * ROW_HEIGHT;
            String label = r.caseName() + ", " + r.path() + ", " + r.metric() + " (JDK " + figure(r.values().get("jdk"))
                    + " " + r.unit() + ")";
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                    LABEL_WIDTH - 8, y + 15, xml(label)));
            String[] colours = {"#1f77b4", "#ff7f0e"};
            for (int k = 0; k < 2; k++) {
                Double x = r.ratio(PROVIDERS.get(k + 1));
                int by = y + 3 + k * (BAR_HEIGHT + 1);
                if (x == null) {
                    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"9\" fill=\"#888\">"
                            + "not measured</text>%n", LABEL_WIDTH + 2, by + BAR_HEIGHT - 1));
                    continue;
                }
                int w = (int) Math.round(Math.min(x, max) / max * plot);
                b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
                        + "<text x=\"%d\" y=\"%d\" font-size=\"9\">%s</text>%n", LABEL_WIDTH, by, w, BAR_HEIGHT,
                        colours[k], LABEL_WIDTH + w + 3, by + BAR_HEIGHT - 1, ratio(x)));
            }
        }
        int axisY = TOP + Math.max(1, shown.size()) * ROW_HEIGHT + 5;
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                LABEL_WIDTH, axisY, LABEL_WIDTH + plot, axisY));
        for (int t = 0; t <= (int) max; t++) {
            int x = LABEL_WIDTH + (int) Math.round(t / max * plot);
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>%n", x, TOP - 4, x, axisY + 4,
                    t == 1 ? "#d62728" : "#ddd", x, axisY + 18, t));
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Reads the CPU records: one JSON object a line; a missing file means none. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> readCpu(Path file) throws IOException {
        List<Map<String, Object>> records = new ArrayList<>();
        if (!Files.exists(file)) {
            return records;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                records.add((Map<String, Object>) Json.parse(line));
            }
        }
        return records;
    }

    /** Writes latest.json, latest.md and latest.svg into {@code out}; returns their paths. */
    @SuppressWarnings("unchecked")
    public static List<Path> write(Path jmhJson, Path cpuFile, Path out, String runMode, Machine machine,
                                   String measuredAt) throws IOException {
        List<Object> jmh = (List<Object>) Json.parse(Files.readString(jmhJson, StandardCharsets.UTF_8));
        List<Map<String, Object>> cpu = readCpu(cpuFile);
        List<Row> rows = rows(jmh, cpu);
        Map<String, Integer> modes = tuxModes(cpu);
        Files.createDirectories(out);
        Path json = out.resolve("latest.json");
        Path md = out.resolve("latest.md");
        Path svg = out.resolve("latest.svg");
        Files.writeString(json, json(rows, modes, machine, runMode, measuredAt), StandardCharsets.UTF_8);
        Files.writeString(md, markdown(rows, modes, machine, runMode, measuredAt), StandardCharsets.UTF_8);
        Files.writeString(svg, svg(rows, machine, measuredAt), StandardCharsets.UTF_8);
        return List.of(json, md, svg);
    }

    /** {@code Report <jmh.json> <cpu.jsonl> <out dir> <run mode>}: writes the three files and prints where. */
    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: Report <jmh result json> <cpu records jsonl> <output dir> <quick|full|...>");
            System.exit(2);
        }
        String at = Instant.now().truncatedTo(ChronoUnit.MINUTES).toString();
        List<Path> written = write(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), args[3], Machine.detect(), at);
        for (Path p : written) {
            System.out.println("wrote " + p.toAbsolutePath());
        }
    }
}
