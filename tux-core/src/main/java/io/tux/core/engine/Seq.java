package io.tux.core.engine;

/** Sequence numbers are 32-bit and wrap: compare them by the sign of their difference (serial arithmetic). */
final class Seq {
    private Seq() {}

    static boolean lt(int a, int b) { return a - b < 0; }

    static boolean leq(int a, int b) { return a - b <= 0; }

    static boolean gt(int a, int b) { return a - b > 0; }

    static boolean geq(int a, int b) { return a - b >= 0; }

    static int max(int a, int b) { return gt(a, b) ? a : b; }
}
