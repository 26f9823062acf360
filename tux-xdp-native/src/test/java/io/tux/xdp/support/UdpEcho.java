package io.tux.xdp.support;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;

/**
 * Child-JVM program for root tests: a kernel UDP socket on HOST:PORT that sends every datagram back to its
 * sender, until COUNT were echoed or 30 s without traffic. Prints READY once bound.
 */
public final class UdpEcho {

    private UdpEcho() {}

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[2]);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(args[0], Integer.parseInt(args[1])))) {
            s.setSoTimeout(30_000);
            System.out.println("READY");
            System.out.flush();
            byte[] buf = new byte[65536];
            for (int i = 0; i < count; i++) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    System.out.println("TIMEOUT after " + i);
                    return;
                }
                s.send(new DatagramPacket(buf, p.getLength(), p.getSocketAddress()));
            }
            System.out.println("DONE " + count);
        }
    }
}
