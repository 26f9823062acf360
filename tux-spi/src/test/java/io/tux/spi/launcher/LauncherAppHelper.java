package io.tux.spi.launcher;

/** Lives in its own jar (lib.jar) in {@link LauncherTest}: proves a second class path entry reaches the program. */
public final class LauncherAppHelper {
    private LauncherAppHelper() {
    }

    static String greeting() {
        return "from lib.jar";
    }
}
