package io.tux.xdp.stack;

import io.tux.xdp.support.ChildJvm;
import io.tux.xdp.testbed.NetnsTestBed;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Measurement main (not a test): a one-way bulk stream over one Tux connection between two namespaces, as
 * {@link StackVethTest} does it, with the sender and the receiver in their own JVMs ({@link StackPeer}), and
 * optionally a JFR recording of each. Prints the receiver's and the sender's figures (MB/s, 10^6 bytes a
 * second) per run. Needs root. Arguments, all optional, as {@code key=value}:
 * <ul>
 *   <li>{@code bytes} per run (default 500,000,000), {@code runs} (default 3);</li>
 *   <li>{@code mtu}: the veth MTU (default 1500, as created);</li>
 *   <li>{@code jfr}: a directory; each child then records {@code <dir>/send.jfr} and {@code <dir>/recv.jfr}
 *       (settings=profile) over its whole life;</li>
 *   <li>{@code budget}: the network threads' idle poll budget in microseconds (default 200);</li>
 *   <li>{@code jvm}: extra JVM options for both children, comma-separated (e.g. for perf:
 *       {@code -XX:+UnlockDiagnosticVMOptions,-XX:+DumpPerfMapAtExit,-XX:+PreserveFramePointer}).</li>
 * </ul>
 * Run: {@code java --enable-native-access=ALL-UNNAMED -cp <test class path> io.tux.xdp.stack.BulkVethMeasurement
 * bytes=500000000 jfr=/tmp/prof}; {@code transport=tux,tcp} alternates Tux and kernel TCP ({@link TcpBulkPeer}) runs. Every wait is bounded; the namespaces are deleted on exit.
 */
public final class BulkVethMeasurement {

    private BulkVethMeasurement() {}

    public static void main(String[] args) throws Exception {
        long bytes = 500_000_000L;
        int runs = 3;
        int mtu = 0;
        String jfr = null;
        long budgetMicros = 200;
        List<String> jvmExtra = new ArrayList<>();
        List<String> transports = List.of("tux");
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "bytes" -> bytes = Long.parseLong(kv[1]);
                case "runs" -> runs = Integer.parseInt(kv[1]);
                case "mtu" -> mtu = Integer.parseInt(kv[1]);
                case "jfr" -> jfr = kv[1];
                case "budget" -> budgetMicros = Long.parseLong(kv[1]);
                case "transport" -> transports = List.of(kv[1].split(","));
                case "jvm" -> jvmExtra.addAll(List.of(kv[1].split(",")));
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        String budget = Long.toString(TimeUnit.MICROSECONDS.toNanos(budgetMicros));
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            if (mtu > 0) {
                bed.setMtu(mtu);
            }
            String a = bed.addressA().getHostAddress();
            String b = bed.addressB().getHostAddress();
            for (int run = 0; run < runs; run++) {
                for (String t : transports) {
                    if (t.equals("tcp")) {
                        tcpRun(bed, a, b, bytes, run, mtu);
                    } else {
                        tuxRun(bed, a, b, bytes, run, mtu, jfr, jvmExtra, budget);
                    }
                }
            }
        }
    }

    private static void tcpRun(NetnsTestBed bed, String a, String b, long bytes, int run, int mtu) throws Exception {
        String port = Integer.toString(7000 + run);
        try (ChildJvm receiver = ChildJvm.startTuned(bed.nsB(), List.of("-Xmx512m"), TcpBulkPeer.class, "recv", b, port,
                Long.toString(bytes))) {
            receiver.awaitAnyLine(120, "LISTENING", "CRASH");
            try (ChildJvm sender = ChildJvm.startTuned(bed.nsA(), List.of("-Xmx512m"), TcpBulkPeer.class, "send", b,
                    port, Long.toString(bytes))) {
                String s = sender.awaitAnyLine(120, "ESTABLISHED", "CRASH");
                sender.tell("go");
                String result = receiver.awaitAnyLine(600, "RESULT", "CRASH");
                String recvCpu = receiver.awaitAnyLine(120, "CPU", "CRASH");
                String sent = sender.awaitAnyLine(120, "SENT", "CRASH");
                String sendCpu = sender.awaitAnyLine(120, "CPU", "CRASH");
                System.out.println("run " + run + " mtu " + (mtu > 0 ? mtu : 1500) + " " + s);
                System.out.println("  receiver: " + result);
                System.out.println("  sender:   " + sent);
                System.out.println("  receiver: " + recvCpu);
                System.out.println("  sender:   " + sendCpu);
                receiver.awaitExit(60);
                sender.awaitExit(60);
            }
        }
    }

    private static void tuxRun(NetnsTestBed bed, String a, String b, long bytes, int run, int mtu, String jfr,
            List<String> jvmExtra, String budget) throws Exception {
        List<String> recvJvm = new ArrayList<>(List.of("-Xmx512m"));
        List<String> sendJvm = new ArrayList<>(List.of("-Xmx512m"));
        recvJvm.addAll(jvmExtra);
        sendJvm.addAll(jvmExtra);
        if (jfr != null) {
            recvJvm.add("-XX:StartFlightRecording=filename=" + jfr + "/recv" + run + ".jfr,settings=profile");
            sendJvm.add("-XX:StartFlightRecording=filename=" + jfr + "/send" + run + ".jfr,settings=profile");
        }
        int port = 5000 + 2 * run;
        try (ChildJvm receiver = ChildJvm.startTuned(bed.nsB(), recvJvm, StackPeer.class, "recv", b,
                        Integer.toString(port + 1), a, Integer.toString(port), Long.toString(bytes), budget);
                ChildJvm sender = ChildJvm.startTuned(bed.nsA(), sendJvm, StackPeer.class, "send", a,
                        Integer.toString(port), b, Integer.toString(port + 1), Long.toString(bytes), budget)) {
            String s = sender.awaitAnyLine(120, "ESTABLISHED", "UNAVAILABLE", "CRASH");
            String r = receiver.awaitAnyLine(120, "ESTABLISHED", "UNAVAILABLE", "CRASH");
            if (!s.startsWith("ESTABLISHED") || !r.startsWith("ESTABLISHED")) {
                throw new IllegalStateException("not established: " + s + " / " + r);
            }
            System.out.println("PIDS sender " + sender.pid() + " receiver " + receiver.pid());
            sender.tell("go");
            String result = receiver.awaitAnyLine(600, "RESULT", "CRASH");
            String recvCpu = receiver.awaitAnyLine(120, "CPU", "CRASH");
            String sent = sender.awaitAnyLine(120, "SENT", "CRASH");
            String sendCpu = sender.awaitAnyLine(120, "CPU", "CRASH");
            String recvDone = receiver.awaitAnyLine(120, "DONE", "CRASH");
            String sendDone = sender.awaitAnyLine(120, "DONE", "CRASH");
            System.out.println("run " + run + " mtu " + (mtu > 0 ? mtu : 1500) + " " + s);
            System.out.println("  receiver: " + result);
            System.out.println("  sender:   " + sent);
            System.out.println("  receiver: " + recvCpu);
            System.out.println("  sender:   " + sendCpu);
            System.out.println("  receiver: " + recvDone);
            System.out.println("  sender:   " + sendDone);
            receiver.awaitExit(60);
            sender.awaitExit(60);
        }
    }
}
