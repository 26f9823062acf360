package io.tux.integration;

import io.tux.xdp.testbed.NetnsTestBed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Assertions;

/**
 * How the suite starts its child JVMs inside a namespace of a {@link NetnsTestBed}: with Tux, exactly as a user
 * does, through {@code bin/tux-java} (which adds the provider flag, native access and {@code tux.jar} on the
 * module path), or as a plain {@code java} of the same JDK (the JDK's own provider). Both get the same class
 * path: this module's test classes and the third-party jars from Maven Central, never Tux's own classes.
 *
 * <p>Threading: static helpers, test thread.
 */
final class Jvms {
    private Jvms() {
    }

    /** Bound on each child JVM's life (its watchdog halts it after this). */
    static final long CHILD_SECONDS = 150;

    /** Fails under CI=true when the namespace test bed cannot run; otherwise skips the test with the reason. */
    static void requireNetns() {
        String reason = NetnsTestBed.unavailableReason();
        if (reason == null) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail("CI=true but the network namespace test bed cannot run: " + reason);
        }
        Assumptions.abort("network namespace test bed unavailable: " + reason);
    }

    /** Which provider a child runs. */
    enum Side {
        /** launched through bin/tux-java, with {@code -Dtux.summaryAtExit=true} */
        TUX,
        /** plain java: the JDK's provider */
        JDK
    }

    private static String property(String name) {
        String v = System.getProperty(name);
        if (v == null) {
            throw new IllegalStateException("system property " + name + " is not set (run the tests with Maven)");
        }
        return v;
    }

    /** The children's class path: test classes, then the jars listed by the dependency plugin. */
    static String classPath() {
        try {
            String jars = Files.readString(Path.of(property("tux.it.classpathFile")), StandardCharsets.UTF_8).trim();
            return property("tux.it.testClasses") + (jars.isEmpty() ? "" : ":" + jars);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A builder (start it with {@link Child#start}) for {@code mainClass} in namespace {@code ns}, working in
     * {@code dir}; {@code jvmOptions} come after what the side adds.
     */
    static ProcessBuilder java(NetnsTestBed bed, String ns, Side side, Path dir, List<String> jvmOptions,
                               Class<?> mainClass, List<String> args) {
        bed.ifaceIn(ns);
        String javaHome = property("tux.it.javaHome");
        List<String> cmd = new ArrayList<>();
        if (side == Side.TUX) {
            cmd.add(property("tux.it.launcher"));
            cmd.add("-Dtux.summaryAtExit=true");
        } else {
            cmd.add(Path.of(javaHome, "bin", "java").toString());
        }
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(mainClass.getName());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(NetnsTestBed.inNamespace(ns, cmd)).directory(dir.toFile());
        Map<String, String> env = pb.environment();
        env.put("TUX_JAVA_HOME", javaHome);
        env.put("TUX_JAR", property("tux.it.jar"));
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("JDK_JAVA_OPTIONS");
        env.remove("_JAVA_OPTIONS");
        return pb;
    }
}
