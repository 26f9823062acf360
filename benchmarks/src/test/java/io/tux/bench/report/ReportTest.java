package io.tux.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ReportTest {
    static final Report.Machine MACHINE = new Report.Machine("2", "Test CPU @ 1 GHz", "Linux 6.0.0", "JDK 25");
    static final String AT = "2026-01-01T00:00Z";

    @TempDir
    Path dir;

    private Path resource(String name) throws IOException {
        try (InputStream in = ReportTest.class.getResourceAsStream(name)) {
            Path p = dir.resolve(name);
            Files.write(p, in.readAllBytes());
            return p;
        }
    }

    private List<Path> writeSample() throws IOException {
        return Report.write(resource("sample-jmh.json"), resource("sample-cpu.jsonl"), dir.resolve("out"), "quick",
                MACHINE, AT);
    }

    @Test
    void markdownTableHoldsEveryCaseWithRatiosToTheJdk() throws IOException {
        List<Path> written = writeSample();
        assertEquals(List.of("latest.json", "latest.md", "latest.svg"),
                written.stream().map(p -> p.getFileName().toString()).toList());
        String md = Files.readString(dir.resolve("out/latest.md"));
        String expected = """
                # Tux beside the JDK provider

                Measured 2026-01-01T00:00Z (quick run) on 2 CPUs (nproc), Test CPU @ 1 GHz, Linux 6.0.0, JDK 25.

                Tux/JDK is the Tux figure divided by the JDK figure: below 1 is better for latency and CPU time, \
                above 1 is better for throughput. "Tux, peer JDK" runs Tux on the client only (the cost of fallback). \
                – means not measured (that case failed; the run log says why).

                Transport of the Tux client's connections (at the end of each trial): KERNEL (NOT_IMPLEMENTED) in 2 \
                trials, TUX in 1 trial.

                | case | path | metric | unit | JDK | Tux | Tux/JDK | Tux, peer JDK | ratio |
                | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |
                | ping-pong 64 B | lo | mean | us | 17.0 | – | – | – | – |
                | ping-pong 1024 B | lo | mean | us | 18.0 | – | – | – | – |
                | ping-pong 64 B | veth | mean | us | 20.0 | 21.0 | 1.05 | 22.0 | 1.10 |
                | ping-pong 64 B | veth | p50 | us | 16.0 | 16.8 | 1.05 | – | – |
                | ping-pong 64 B | veth | p99 | us | 40.0 | 50.0 | 1.25 | – | – |
                | ping-pong 64 B | veth | CPU both | us/op | 19.0 | 19.3 | 1.01 | – | – |
                | ping-pong 64 B | veth | CPU client | us/op | 10.5 | 9.90 | 0.94 | – | – |
                | ping-pong 64 B | veth | CPU peer | us/op | 8.50 | 9.35 | 1.10 | – | – |
                | kv GET, 16 conn, depth 16 | lo | throughput | GET/s | 800,000 | 1,000,000 | 1.25 | – | – |
                | kv GET, 16 conn, depth 16 | lo | CPU both | us/GET | 0.75 | – | – | – | – |
                | kv GET, 16 conn, depth 16 | lo | CPU client | us/GET | 0.50 | – | – | – | – |
                | kv GET, 16 conn, depth 16 | lo | CPU peer | us/GET | 0.25 | – | – | – | – |
                | bulk stream | lo | throughput | MiB/s | 1,500 | 1,200 | 0.80 | – | – |
                """;
        assertEquals(expected, md);
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonCarriesValuesRatiosAndTheMachine() throws IOException {
        writeSample();
        Map<String, Object> root = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("out/latest.json")));
        assertEquals("Test CPU @ 1 GHz", ((Map<String, Object>) root.get("machine")).get("model"));
        assertEquals(Map.of("KERNEL (NOT_IMPLEMENTED)", 2.0, "TUX", 1.0), root.get("tuxClientTransport"));
        List<Object> rows = (List<Object>) root.get("rows");
        assertEquals(13, rows.size());
        Map<String, Object> kv = (Map<String, Object>) rows.get(8);
        assertEquals("throughput", kv.get("metric"));
        assertEquals("higher", kv.get("better"));
        assertEquals(800000.0, ((Map<String, Object>) kv.get("values")).get("jdk"));
        assertEquals(1.25, (Double) ((Map<String, Object>) kv.get("ratioToJdk")).get("tux"), 1e-12);
        assertNull(((Map<String, Object>) kv.get("ratioToJdk")).get("tux-peer-jdk"));
    }

    @Test
    void svgIsWellFormedWithOneBarPerMeasuredRatio() throws Exception {
        writeSample();
        byte[] svg = Files.readAllBytes(dir.resolve("out/latest.svg"));
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(svg));
        Element root = doc.getDocumentElement();
        assertEquals("svg", root.getTagName());
        NodeList rects = root.getElementsByTagName("rect");
        int tux = 0;
        int peerJdk = 0;
        for (int i = 0; i < rects.getLength(); i++) {
            String fill = ((Element) rects.item(i)).getAttribute("fill");
            tux += fill.equals("#1f77b4") ? 1 : 0;
            peerJdk += fill.equals("#ff7f0e") ? 1 : 0;
        }
        // chart rows: mean, p99, throughput. Tux ratios: ping-pong veth mean and p99, kv, bulk; peer-JDK: one.
        // Plus one legend swatch each.
        assertEquals(4 + 1, tux);
        assertEquals(1 + 1, peerJdk);
        String text = new String(svg, StandardCharsets.UTF_8);
        assertTrue(text.contains(">1.25</text>"), text);
        assertTrue(text.contains(">0.80</text>"), text);
    }

    @Test
    void aRatioNeedsBothFigures() {
        Report.Row row = new Report.Row("c", "lo", "mean", "us", false, true, Map.of("jdk", 0.0, "tux", 2.0));
        assertNull(row.ratio("tux"));
        assertNull(row.ratio("tux-peer-jdk"));
    }

    @Test
    void jsonRoundTripsAndRejectsGarbage() {
        Object v = Json.parse("{\"a\": [1, 2.5, \"x\\n\\u0041\", true, null], \"b\": {}}");
        assertEquals("{\n  \"a\": [\n    1,\n    2.5,\n    \"x\\nA\",\n    true,\n    null\n  ],\n  \"b\": {}\n}",
                Json.write(v));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": 1,}"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1] 2"));
    }
}
