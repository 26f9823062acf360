package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs in the verify phase, after the shade (see pom.xml): target/tux.jar is self-contained and installs Tux with
 * one flag. The program's classpath is the jar plus ChildMain alone (copied out of the test classes).
 */
class TuxJarCheck {

    @TempDir
    Path dir;

    @Test
    void theJarAloneRunsAnEchoWithTuxInstalled() throws Exception {
        Path jar = Path.of(System.getProperty("tux.test.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " missing");
        try (JarFile jf = new JarFile(jar.toFile())) {
            assertTrue(jf.getEntry("io/tux/spi/TuxSelectorProvider.class") != null);
            assertTrue(jf.getEntry("io/tux/core/link/Link.class") != null, "tux-core is not inside tux.jar");
        }
        Path classes = dir.resolve("classes/io/tux/spi");
        Files.createDirectories(classes);
        Files.copy(Path.of(System.getProperty("tux.test.classes"), "io/tux/spi/ChildMain.class"),
                classes.resolve("ChildMain.class"));
        String java = Path.of(System.getProperty("tux.test.javaHome", System.getProperty("java.home")), "bin", "java")
                .toString();
        File out = dir.resolve("out.txt").toFile();
        File err = dir.resolve("err.txt").toFile();
        Process p = new ProcessBuilder(List.of(java, "-Xmx128m",
                "-Djava.nio.channels.spi.SelectorProvider=io.tux.spi.TuxSelectorProvider", "-Dtux.log=off",
                "-cp", jar + File.pathSeparator + dir.resolve("classes"), "io.tux.spi.ChildMain"))
                .redirectOutput(out).redirectError(err).start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish in 60 s");
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        String o = Files.readString(out.toPath());
        assertEquals(0, p.exitValue(), Files.readString(err.toPath()));
        assertTrue(o.contains("provider=io.tux.spi.TuxSelectorProvider\n"), o);
        assertTrue(o.contains("core=io.tux.core.link.Link\n"), o);
        assertTrue(o.contains("channel=io.tux.spi.TuxSocketChannel\n"), o);
        assertTrue(o.contains("echo=hello\n"), o);
        assertEquals("", Files.readString(err.toPath()));
    }
}
