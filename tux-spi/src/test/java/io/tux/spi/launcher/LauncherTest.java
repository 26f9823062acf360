package io.tux.spi.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/tux-java as a user runs it: an app jar made here ({@link LauncherApp}, with {@link LauncherAppHelper} in a
 * second jar), started with -jar, with each class path form, with JVM options before the main class and program
 * arguments after it. Checks the provider, a loopback echo, the arguments byte for byte, the exit code, the pid
 * (the JVM is exec'd), that stdout holds only the program's lines and stderr nothing or the one documented line.
 *
 * <p>The Tux jar: the unit tests run before the shade makes target/tux.jar, so the test makes its own from the
 * tux-core, tux-xdp-native and tux-spi classes on its class path, with the manifest's module name io.tux.
 *
 * <p>As root the program runs in a network namespace of its own (unshare --net, lo up), so that its loopback
 * connections may attach Tux to that namespace's lo and never to the host's.
 */
class LauncherTest {

    private static final Path SCRIPT = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent()
            .resolve("bin/tux-java");
    private static final String MAIN = LauncherApp.class.getName();
    private static final Pattern UNABLE_LINE = Pattern.compile(
            "tux-java: Tux cannot run here \\((NO_PRIVILEGE|NO_NATIVE_LIBRARY|NO_AF_XDP): [^\\n]*\\); connections use "
                    + "kernel TCP\\n");

    @TempDir
    static Path shared;
    static Path tuxJar;

    @TempDir
    Path dir;

    record Run(long pid, int exit, String out, String err) {
    }

    @BeforeAll
    static void buildJars() throws IOException {
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        tuxJar = shared.resolve("tux.jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(new Attributes.Name("Automatic-Module-Name"), "io.tux");
        Set<String> seen = new HashSet<>();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(tuxJar), m)) {
            for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path p = Path.of(e);
                String name = p.getFileName().toString();
                if (name.equals("test-classes") || name.endsWith("-tests.jar") || !Files.exists(p)) {
                    continue;
                }
                copyTuxEntries(p, out, seen);
            }
        }
        assertTrue(seen.contains("io/tux/spi/TuxSelectorProvider.class"), "tux-spi classes not found: " + seen.size());
        assertTrue(seen.contains("io/tux/core/link/Link.class"), "tux-core classes not found");
        assertTrue(seen.contains("io/tux/xdp/stack/AfXdpStack.class"), "tux-xdp-native classes not found");
        assertTrue(seen.contains("io/tux/xdp/tux_xdp.o"), "the XDP program is not on the class path");
        Files.setPosixFilePermissions(tuxJar, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(SCRIPT, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Copies everything under io/tux/ of a classes directory or a jar (main code only). */
    private static void copyTuxEntries(Path source, JarOutputStream out, Set<String> seen) throws IOException {
        if (Files.isDirectory(source)) {
            Path root = source.resolve("io/tux");
            if (!Files.isDirectory(root)) {
                return;
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    String name = source.relativize(f).toString().replace(File.separatorChar, '/');
                    if (seen.add(name)) {
                        out.putNextEntry(new JarEntry(name));
                        Files.copy(f, out);
                        out.closeEntry();
                    }
                }
            }
        } else if (source.getFileName().toString().endsWith(".jar")) {
            try (JarFile jf = new JarFile(source.toFile())) {
                for (JarEntry e : jf.stream().toList()) {
                    if (!e.isDirectory() && e.getName().startsWith("io/tux/") && seen.add(e.getName())) {
                        out.putNextEntry(new JarEntry(e.getName()));
                        try (InputStream in = jf.getInputStream(e)) {
                            in.transferTo(out);
                        }
                        out.closeEntry();
                    }
                }
            }
        }
    }

    /** app.jar (LauncherApp; Main-Class, Class-Path: lib.jar) and lib.jar (LauncherAppHelper) in {@code where}. */
    private static void appJars(Path where) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, MAIN);
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH, "lib.jar");
        writeJar(where.resolve("app.jar"), m, LauncherApp.class);
        Manifest plain = new Manifest();
        plain.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        writeJar(where.resolve("lib.jar"), plain, LauncherAppHelper.class);
    }

    private static void writeJar(Path jar, Manifest m, Class<?> c) throws IOException {
        String name = c.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m);
                InputStream in = c.getClassLoader().getResourceAsStream(name)) {
            out.putNextEntry(new JarEntry(name));
            in.transferTo(out);
            out.closeEntry();
        }
    }

    private static boolean root() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean ci() {
        return "true".equals(System.getenv("CI"));
    }

    /** As root: the command inside a new network namespace with lo up (every step exec's, the pid stays). */
    private static List<String> isolated(List<String> cmd) {
        if (!root()) {
            return cmd;
        }
        boolean can = Files.isExecutable(Path.of("/usr/bin/unshare")) && (Files.isExecutable(Path.of("/usr/sbin/ip"))
                || Files.isExecutable(Path.of("/sbin/ip")) || Files.isExecutable(Path.of("/usr/bin/ip")));
        if (!can) {
            if (ci()) {
                fail("as root these tests need unshare and ip (util-linux, iproute2) to keep Tux off the host's lo");
            }
            Assumptions.abort("as root these tests need unshare and ip (util-linux, iproute2); skipped outside CI");
        }
        List<String> c = new ArrayList<>(List.of("/usr/bin/unshare", "--net", "/bin/sh", "-c",
                "PATH=/usr/sbin:/sbin:$PATH ip link set lo up && exec \"$0\" \"$@\""));
        c.addAll(cmd);
        return c;
    }

    private ProcessBuilder builder(List<String> cmd, Map<String, String> env) throws IOException {
        appJars(dir);
        Path cache = dir.resolve("cache");
        Files.createDirectories(cache);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        Map<String, String> e = pb.environment();
        for (String k : List.of("TUX_VERBOSE", "JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "CLASSPATH",
                "TUX_JAR", "JAVA_HOME")) {
            e.remove(k);
        }
        e.put("TUX_JAR", tuxJar.toString());
        e.put("TUX_JAVA_HOME", System.getProperty("tux.test.javaHome", System.getProperty("java.home")));
        e.put("XDG_CACHE_HOME", cache.toString());
        e.putAll(env);
        e.values().removeIf(v -> v == null || v.isEmpty());
        return pb;
    }

    private Run launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString()));
        cmd.addAll(List.of(args));
        return run(isolated(cmd), env);
    }

    private Run run(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        File out = dir.resolve("out.txt").toFile();
        File err = dir.resolve("err.txt").toFile();
        Process p = builder(cmd, env).redirectOutput(out).redirectError(err).start();
        try {
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                throw new AssertionError("tux-java did not finish in 90 s: " + cmd);
            }
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        return new Run(p.pid(), p.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
    }

    /** The reason line's value, checked: never one the launcher should have prevented. */
    private static String reason(Run r) {
        for (String line : r.out().split("\n")) {
            if (line.startsWith("reason=")) {
                String reason = line.substring("reason=".length());
                assertTrue(Set.of("null", "NO_PRIVILEGE", "NO_NATIVE_LIBRARY", "NO_AF_XDP").contains(reason),
                        "unexpected reason " + reason + "\n" + r.err());
                return reason;
            }
        }
        throw new AssertionError("no reason line: " + r.out() + r.err());
    }

    /** Stderr is empty when Tux can run, else exactly the launcher's one line naming the same reason. */
    private static void assertQuietOrOneLine(Run r) {
        String reason = reason(r);
        if (reason.equals("null")) {
            assertEquals("", r.err());
        } else {
            assertTrue(UNABLE_LINE.matcher(r.err()).matches(), "stderr: " + r.err());
            assertTrue(r.err().startsWith("tux-java: Tux cannot run here (" + reason + ": "), r.err());
        }
    }

    private static String expectedOut(Run r, String foo, boolean small, String... args) {
        StringBuilder s = new StringBuilder();
        s.append("provider=io.tux.spi.TuxSelectorProvider\n");
        s.append("nativeAccess=true\n");
        s.append("echo=exact ").append(LauncherApp.ECHO_BYTES).append('\n');
        s.append("reason=").append(reason(r)).append('\n');
        s.append("helper=from lib.jar\n");
        s.append("foo=").append(foo).append('\n');
        s.append("heapAtMost64MiB=").append(small).append('\n');
        s.append("pid=").append(r.pid()).append('\n');
        s.append("argc=").append(args.length).append('\n');
        for (int i = 0; i < args.length; i++) {
            s.append("arg").append(i).append("=[").append(args[i]).append("]\n");
        }
        return s.toString();
    }

    private static final String[] AWKWARD = {"a b", "", "\"quoted\"", "'single'", "$HOME", "*", "back\\slash",
        "-Dtux.log=debug", "-jar", "-cp", "--module-path", "x;y|z&", "tab\there", "new\nline"};

    @Test
    void jarModeRunsTheProgramWithTux() throws Exception {
        Run r = launch(Map.of(), "-jar", "app.jar", "a", "b");
        assertEquals(0, r.exit(), r.err());
        assertEquals(expectedOut(r, "null", false, "a", "b"), r.out());
        assertQuietOrOneLine(r);
    }

    @Test
    void classPathModeRunsTheProgramWithTux() throws Exception {
        Run r = launch(Map.of(), "-cp", "app.jar:lib.jar", MAIN, "a", "b");
        assertEquals(0, r.exit(), r.err());
        assertEquals(expectedOut(r, "null", false, "a", "b"), r.out());
        assertQuietOrOneLine(r);
    }

    @Test
    void everyClassPathForm() throws Exception {
        for (List<String> form : List.of(List.of("-classpath", "lib.jar:app.jar"), List.of("--class-path", "app.jar:lib.jar"),
                List.of("--class-path=app.jar:lib.jar"))) {
            List<String> args = new ArrayList<>(form);
            args.addAll(List.of(MAIN, "x"));
            Run r = launch(Map.of(), args.toArray(String[]::new));
            assertEquals(0, r.exit(), form + ": " + r.err());
            assertEquals(expectedOut(r, "null", false, "x"), r.out(), form.toString());
            assertQuietOrOneLine(r);
        }
        // no option: the CLASSPATH environment variable, as for java
        Run r = launch(Map.of("CLASSPATH", "app.jar:lib.jar"), MAIN);
        assertEquals(0, r.exit(), r.err());
        assertEquals(expectedOut(r, "null", false), r.out());
        assertQuietOrOneLine(r);
    }

    @Test
    void jvmOptionsBeforeAndAwkwardProgramArgumentsAfterPassExactly() throws Exception {
        List<String> a = new ArrayList<>(List.of("-Xmx64m", "-Dfoo=bar baz", "-jar", "app.jar"));
        a.addAll(List.of(AWKWARD));
        Run r = launch(Map.of(), a.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        assertEquals(expectedOut(r, "bar baz", true, AWKWARD), r.out());
        // "-Dtux.log=debug" after the jar is the program's argument: the launcher must not read it as its own
        assertQuietOrOneLine(r);

        List<String> b = new ArrayList<>(List.of("-Xmx64m", "-Dfoo=bar", "-cp", "app.jar:lib.jar", MAIN));
        b.addAll(List.of(AWKWARD));
        r = launch(Map.of(), b.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        assertEquals(expectedOut(r, "bar", true, AWKWARD), r.out());
        assertQuietOrOneLine(r);
    }

    @Test
    void theExitCodeIsTheProgramsAndThePidTheLaunchers() throws Exception {
        for (int code : new int[] {0, 3, 42, 255}) {
            Run r = launch(Map.of(), "-Dapp.exit=" + code, "-jar", "app.jar");
            assertEquals(code, r.exit(), r.err());
            // the pid line equals the pid of the process we started: bin/tux-java exec'd the JVM
            assertEquals(expectedOut(r, "null", false), r.out());
        }
    }

    @Test
    void aSignalReachesTheProgram() throws Exception {
        List<String> cmd = isolated(List.of(SCRIPT.toString(), "-Dapp.wait=true", "-jar", "app.jar"));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = builder(cmd, Map.of()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            // bounded polling of the output file (Process.destroy would close a pipe before the hook's line)
            while (!Files.readString(out).contains("\nready\n")) {
                if (!p.isAlive() || System.nanoTime() - deadline > 0) {
                    fail("no ready line: " + Files.readString(out) + Files.readString(err));
                }
                LockSupport.parkNanos(20_000_000);
            }
            assertTrue(Files.readString(out).contains("\npid=" + p.pid() + "\n"), Files.readString(out));
            p.destroy(); // SIGTERM to the pid we started: the JVM's, so its shutdown hooks run
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the program did not end on SIGTERM");
            assertEquals(143, p.exitValue());
            assertTrue(Files.readString(out).endsWith("\nready\nhook\n"), Files.readString(out));
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void withoutPrivilegesOneLineSaysSoAndTheProgramRunsOnKernelTcp() throws Exception {
        List<String> cmd;
        if (root()) {
            boolean can = Files.isExecutable(Path.of("/usr/bin/setpriv"));
            if (!can) {
                if (ci()) {
                    fail("as root this test needs setpriv (util-linux) to run as nobody");
                }
                Assumptions.abort("needs setpriv (util-linux) to run as nobody; skipped outside CI");
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.createDirectories(dir.resolve("cache"));
            Files.setPosixFilePermissions(dir.resolve("cache"), PosixFilePermissions.fromString("rwxrwxrwx"));
            cmd = List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                    SCRIPT.toString(), "-jar", "app.jar");
        } else {
            cmd = List.of(SCRIPT.toString(), "-jar", "app.jar");
        }
        Assumptions.assumeTrue(SCRIPT.toFile().canRead(), "bin/tux-java must be readable");
        Run r = run(cmd, Map.of());
        assertEquals(0, r.exit(), r.err());
        assertEquals(expectedOut(r, "null", false), r.out());
        assertTrue(r.out().contains("reason=NO_PRIVILEGE\n"), r.out());
        assertTrue(Pattern.matches("tux-java: Tux cannot run here \\(NO_PRIVILEGE: missing CAP_NET_ADMIN CAP_NET_RAW "
                + "CAP_BPF; run as root or grant them\\); connections use kernel TCP\\n", r.err()), r.err());
    }

    @Test
    void askedForTheProviderSaysItself() throws Exception {
        // the user's own tux.log: no hiding, no line of the launcher's
        Run r = launch(Map.of(), "-Dtux.log=debug", "-jar", "app.jar");
        assertEquals(0, r.exit(), r.err());
        assertEquals(expectedOut(r, "null", false), r.out());
        assertFalse(r.err().contains("tux-java:"), r.err());
        // the provider's status line, not hidden (the per-connection lines of debug are logged by the network
        // thread after a connection's mode is TUX, so a program that exits at once may end before them)
        assertEquals(1, count(r.err(), "io.tux.spi.TuxRuntime announce\nINFO: Tux: "), r.err());

        // TUX_VERBOSE=1: what the launcher found and runs, then the provider's status line
        r = launch(Map.of("TUX_VERBOSE", "1"), "-jar", "app.jar");
        assertEquals(0, r.exit(), r.err());
        assertEquals(expectedOut(r, "null", false), r.out());
        assertTrue(r.err().startsWith("tux-java: JDK "), r.err());
        assertTrue(r.err().contains("\ntux-java: Tux jar " + tuxJar.toRealPath() + "\n"), r.err());
        assertTrue(r.err().contains("\ntux-java: exec "), r.err());
        assertEquals(1, count(r.err(), "INFO: Tux: "), r.err());

        // tux.log=off: silence, even where Tux cannot run
        r = launch(Map.of(), "-Dtux.log=off", "-jar", "app.jar");
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
    }

    @Test
    void warningsStillShowAndTheProgramRuns() throws Exception {
        Run r = launch(Map.of(), "-Dtux.engineThreads=0", "-jar", "app.jar");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("provider=io.tux.spi.TuxSelectorProvider\n"), r.out());
        assertTrue(r.out().contains("echo=exact 65536\n"), r.out());
        assertEquals(1, count(r.err(), "WARNING: Tux disabled, connections use the platform's NIO provider unchanged: "
                + "Invalid value \"0\" for system property tux.engineThreads: expected an integer from 1 to 64\n"), r.err());
        assertEquals(2, r.err().split("\n").length - (r.err().contains("tux-java:") ? 1 : 0), r.err());
    }

    @Test
    void disabledOrLoopbackStackNeedNoLine() throws Exception {
        Run r = launch(Map.of(), "-Dtux.enabled=false", "-jar", "app.jar");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("reason=DISABLED\n"), r.out());
        assertTrue(r.out().contains("echo=exact 65536\n"), r.out());
        assertEquals("", r.err());

        r = launch(Map.of(), "-Dtux.stack=loopback", "-jar", "app.jar");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("reason=null\n"), r.out());
        assertTrue(r.out().contains("echo=exact 65536\n"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void findsTheJarInTheSourceTreeOrNextToItselfAndSaysWhenThereIsNone() throws Exception {
        // a copy of the launcher in a source tree layout, reached through a symbolic link from elsewhere
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("bin"));
        Files.createDirectories(tree.resolve("tux-spi/target"));
        Files.copy(SCRIPT, tree.resolve("bin/tux-java"));
        Files.copy(tuxJar, tree.resolve("tux-spi/target/tux.jar"));
        Files.createDirectories(dir.resolve("elsewhere"));
        Files.createSymbolicLink(dir.resolve("elsewhere/tux-java"), tree.resolve("bin/tux-java"));
        Map<String, String> noJar = new java.util.HashMap<>();
        noJar.put("TUX_JAR", "");
        noJar.put("TUX_VERBOSE", "1");
        Run r = run(isolated(List.of(dir.resolve("elsewhere/tux-java").toString(), "-jar", "app.jar")), noJar);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("tux-java: Tux jar " + tree.resolve("tux-spi/target/tux.jar").toRealPath() + "\n"),
                r.err());
        assertTrue(r.out().contains("echo=exact 65536\n"), r.out());

        // next to the script
        Path flat = dir.resolve("flat");
        Files.createDirectories(flat);
        Files.copy(SCRIPT, flat.resolve("tux-java"));
        Files.copy(tuxJar, flat.resolve("tux.jar"));
        r = run(isolated(List.of(flat.resolve("tux-java").toString(), "-jar", "app.jar")), noJar);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("tux-java: Tux jar " + flat.resolve("tux.jar").toRealPath() + "\n"), r.err());

        // none: exit 2 and one line, the program does not run
        Files.delete(flat.resolve("tux.jar"));
        r = run(List.of(flat.resolve("tux-java").toString(), "-jar", "app.jar"), noJar);
        assertEquals(2, r.exit());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("tux-java: no Tux jar: set TUX_JAR"), r.err());
        assertEquals(1, count(r.err(), "\n"), r.err());
    }

    @Test
    void aUsersModulePathGetsTheJarAppended() throws Exception {
        // an empty directory as the user's module path: without the merge, the JVM would not find io.tux
        Files.createDirectories(dir.resolve("mods"));
        Run r = launch(Map.of(), "-p", "mods", "-jar", "app.jar", "z");
        assertEquals(0, r.exit(), r.err());
        assertEquals(expectedOut(r, "null", false, "z"), r.out());
        r = launch(Map.of(), "--module-path=mods", "-cp", "app.jar:lib.jar", MAIN);
        assertEquals(0, r.exit(), r.err());
        assertEquals(expectedOut(r, "null", false), r.out());
        assertQuietOrOneLine(r);
    }

    @Test
    void aModularProgramRunsWithTux() throws Exception {
        // a named module of its own (-p mods -m app/app.Main): its module graph lacks jdk.unsupported unless the
        // launcher adds it, and the user's module path must get the Tux jar appended
        Path src = dir.resolve("msrc");
        Files.createDirectories(src.resolve("app"));
        Files.writeString(src.resolve("module-info.java"), "module app { }\n");
        Files.writeString(src.resolve("app/Main.java"), """
                package app;
                public class Main {
                    public static void main(String[] a) throws Exception {
                        System.out.println("provider=" + java.nio.channels.spi.SelectorProvider.provider().getClass().getName());
                        try (var s = java.nio.channels.ServerSocketChannel.open()) {
                            s.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
                            try (var c = java.nio.channels.SocketChannel.open(s.getLocalAddress()); var d = s.accept()) {
                                c.write(java.nio.ByteBuffer.wrap(new byte[] {'o', 'k'}));
                                var b = java.nio.ByteBuffer.allocate(2);
                                while (b.hasRemaining() && d.read(b) >= 0) { }
                                System.out.println("echo=" + new String(b.array(), java.nio.charset.StandardCharsets.US_ASCII));
                            }
                        }
                        System.out.println("args=" + java.util.Arrays.toString(a));
                    }
                }
                """);
        javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        Assumptions.assumeTrue(javac != null, "needs a JDK with javac");
        Path mods = dir.resolve("mods/app");
        assertEquals(0, javac.run(null, null, null, "-d", mods.toString(), src.resolve("module-info.java").toString(),
                src.resolve("app/Main.java").toString()));
        Run r = launch(Map.of(), "-Xmx64m", "-p", "mods", "-m", "app/app.Main", "1", "two words");
        assertEquals(0, r.exit(), r.err());
        assertEquals("provider=io.tux.spi.TuxSelectorProvider\necho=ok\nargs=[1, two words]\n", r.out());
        assertTrue(r.err().isEmpty() || UNABLE_LINE.matcher(r.err()).matches(), r.err());
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
