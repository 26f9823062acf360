package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@link ChildMain} in a child JVM with Tux installed by the system property, as a user would. */
class ChildJvmTest {

    private static final String FLAG = "-Djava.nio.channels.spi.SelectorProvider=io.tux.spi.TuxSelectorProvider";

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    private Run run(String... jvmArgs) throws IOException, InterruptedException {
        return runMain(ChildMain.class, jvmArgs);
    }

    private Run runMain(Class<?> main, String... jvmArgs) throws IOException, InterruptedException {
        String javaHome = System.getProperty("tux.test.javaHome", System.getProperty("java.home"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(javaHome, "bin", "java").toString());
        cmd.add("-Xmx128m");
        cmd.addAll(List.of(jvmArgs));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        File out = dir.resolve("out.txt").toFile();
        File err = dir.resolve("err.txt").toFile();
        Process p = new ProcessBuilder(cmd).redirectOutput(out).redirectError(err).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("child JVM did not finish in 60 s: " + cmd);
            }
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        return new Run(p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void installedByThePropertyAnEchoWorksOnTheKernelPath() throws Exception {
        Run r = run(FLAG);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("provider=io.tux.spi.TuxSelectorProvider\n"), r.out());
        assertTrue(r.out().contains("channel=io.tux.spi.TuxSocketChannel\n"), r.out());
        assertTrue(r.out().contains("selector=io.tux.spi.TuxSelector\n"), r.out());
        assertTrue(r.out().contains("mode=KERNEL reason=NO_NATIVE_ACCESS\n"), r.out());
        assertTrue(r.out().contains("echo=hello\n"), r.out());
        assertTrue(r.out().contains("available=false reason=NO_NATIVE_ACCESS\n"), r.out());
        assertTrue(r.out().contains("installed=true\n"), r.out());
        assertEquals(1, count(r.err(), "INFO: Tux: connections run on kernel TCP (NO_NATIVE_ACCESS: NO_NATIVE_ACCESS: the JVM "
                + "runs without native access: start it with --enable-native-access=ALL-UNNAMED (bin/tux-java does), "
                + "connections run on kernel TCP)"), r.err());
        assertFalse(r.err().contains("WARNING"), "no JVM warnings (e.g. about sun.misc.Unsafe): " + r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void aMalformedPropertyKeepsTheProgramWorkingAndIsLoggedOnce() throws Exception {
        Run r = run(FLAG, "-Dtux.engineThreads=0");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("provider=io.tux.spi.TuxSelectorProvider\n"), r.out());
        assertTrue(r.out().contains("echo=hello\n"), r.out());
        // pass-through: the platform's own channels
        assertTrue(r.out().contains("channel=sun.nio.ch.SocketChannelImpl\n"), r.out());
        assertTrue(r.out().contains("mode=null reason=null\n"), r.out());
        assertTrue(r.out().contains("available=false reason=CONFIG_INVALID\n"), r.out());
        assertEquals(1, count(r.err(), "WARNING: Tux disabled, connections use the platform's NIO provider unchanged: "
                + "Invalid value \"0\" for system property tux.engineThreads: expected an integer from 1 to 64\n"),
                r.err());
        assertEquals(1, count(r.err(), "tux.engineThreads"), r.err());
    }

    @Test
    void disabledRunsThePlatformProvidersObjects() throws Exception {
        Run r = run(FLAG, "-Dtux.enabled=false");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("channel=sun.nio.ch.SocketChannelImpl\n"), r.out());
        assertTrue(r.out().contains("selector=sun.nio.ch.EPollSelectorImpl\n"), r.out());
        assertTrue(r.out().contains("echo=hello\n"), r.out());
        assertEquals(1, count(r.err(), "INFO: Tux disabled (tux.enabled=false)"), r.err());
    }

    @Test
    void logOffIsSilent() throws Exception {
        Run r = run(FLAG, "-Dtux.log=off", "-Dtux.summaryAtExit=false");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("echo=hello\n"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void logDebugAddsOneLinePerConnection() throws Exception {
        Run r = run(FLAG, "-Dtux.log=debug");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("echo=hello\n"), r.out());
        assertEquals(2, count(r.err(), "on kernel TCP: NO_NATIVE_ACCESS\n"), r.err());
        assertEquals(2, count(r.err(), "INFO: Tux: connection java.nio.channels.SocketChannel[connected local=/127.0.0.1:"),
                r.err());
    }

    @Test
    void summaryAtExit() throws Exception {
        Run r = run(FLAG, "-Dtux.summaryAtExit=true", "-Dtux.log=off");
        assertEquals(0, r.exit(), r.err());
        assertEquals("Tux summary: connections 2 (tux 0, kernel 2: NO_NATIVE_ACCESS=2), bytes kernel in 5 out 5, "
                + "bytes tux in 0 out 0; Tux unavailable: NO_NATIVE_ACCESS\n", r.err());
    }

    @Test
    void theJdksHttpServerAndHttpClientRunOnTuxChannels() throws Exception {
        Run r = runMain(ChildHttpMain.class, FLAG, "-Dtux.log=off");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("ok=20\n"), r.out() + r.err());
        assertTrue(r.out().contains("opened>=2=true onTux=0 kernelEqualsOpened=true\n"), r.out());
        assertTrue(r.out().contains("bytesBothWays=true\n"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void nettysNioTransportRunsOnTuxChannels() throws Exception {
        Run r = runMain(ChildNettyMain.class, FLAG, "-Dtux.log=off");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("echo=exact bytes=1048576\n"), r.out() + r.err());
        assertTrue(r.out().contains("opened=2 kernel=2 tux=0 byReason={NO_NATIVE_ACCESS=2}\n"), r.out());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void anInheritedSocketBecomesATuxChannel() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash");
        try (java.nio.channels.ServerSocketChannel ssc = PlatformProvider.find().provider().openServerSocketChannel()) {
            ssc.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            int port = ((java.net.InetSocketAddress) ssc.getLocalAddress()).getPort();
            String javaBin = Path.of(System.getProperty("tux.test.javaHome", System.getProperty("java.home")), "bin",
                    "java").toString();
            // bash connects to us and hands the socket to the JVM as standard input
            String script = "exec 0<>/dev/tcp/127.0.0.1/" + port + " && exec \"$0\" \"$@\"";
            List<String> cmd = List.of("/bin/bash", "-c", script, javaBin, "-Xmx128m", FLAG, "-Dtux.log=off", "-cp",
                    System.getProperty("java.class.path"), ChildInheritedMain.class.getName());
            File out = dir.resolve("out.txt").toFile();
            File err = dir.resolve("err.txt").toFile();
            Process p = new ProcessBuilder(cmd).redirectOutput(out).redirectError(err).start();
            try (java.nio.channels.SocketChannel peer = ssc.accept()) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(2);
                while (b.hasRemaining() && peer.read(b) >= 0) {
                    // the child's greeting
                }
                assertEquals("hi", new String(b.array(), 0, b.position(), java.nio.charset.StandardCharsets.US_ASCII));
                peer.write(java.nio.ByteBuffer.wrap(new byte[] {'o', 'k'}));
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish in 60 s");
            } finally {
                if (p.isAlive()) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            }
            String o = Files.readString(out.toPath());
            assertEquals(0, p.exitValue(), Files.readString(err.toPath()));
            assertTrue(o.contains("inherited=io.tux.spi.TuxSocketChannel\n"), o);
            assertTrue(o.contains("mode=KERNEL reason=NO_NATIVE_ACCESS\n"), o);
            assertTrue(o.contains("answer=ok\n"), o);
        }
    }

    @Test
    void withAddExportsTheSupportedWayIsUsed() throws Exception {
        Run r = run(FLAG, "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED", "-Dtux.log=off");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("way=DEFAULT_SELECTOR_PROVIDER\n"), r.out());
        assertTrue(r.out().contains("echo=hello\n"), r.out());
    }
}
