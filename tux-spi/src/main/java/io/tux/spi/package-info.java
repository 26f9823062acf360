/**
 * Tux's drop-in {@link java.nio.channels.spi.SelectorProvider}: {@link io.tux.spi.TuxSelectorProvider}, installed
 * with {@code -Djava.nio.channels.spi.SelectorProvider=io.tux.spi.TuxSelectorProvider}, configured by {@code tux.*}
 * system properties ({@link io.tux.spi.TuxConfig}), observed through {@link io.tux.spi.Tux} and the MBean
 * {@code io.tux:type=Tux} ({@link io.tux.spi.TuxMXBean}).
 *
 * <h2>Structure</h2>
 * <ul>
 *   <li>{@code PlatformProvider} reaches the JDK's own provider; every channel and selector of ours sits on the
 *       JDK's own objects.</li>
 *   <li>{@link io.tux.spi.TuxSocketChannel}: the JDK socket channel (the TCP connection, later the control channel)
 *       plus a swappable {@code Transport}: {@code KernelTransport} now, the Tux transport after the handshake that
 *       {@code onEstablished()} will start. {@link io.tux.spi.TuxServerSocketChannel} accepts into Tux channels.</li>
 *   <li>{@link io.tux.spi.TuxSelector}: an inner JDK selector for kernel readiness plus polled
 *       {@link io.tux.spi.TuxReadiness} sources for channels on Tux, woken by {@link io.tux.spi.TuxSelector#signal()}
 *       and spin-polled for at most {@code tux.pollBudgetMicros} before it sleeps.</li>
 *   <li>Datagram channels and pipes are the JDK's, wrapped only so that they register with our selector.</li>
 * </ul>
 *
 * <h2>Known differences from the JDK's provider (wrapping mode)</h2>
 * <ul>
 *   <li>{@code DatagramChannel.socket().getChannel()} and {@code MembershipKey.channel()} return the JDK's datagram
 *       channel under ours (socket channels have their own adaptors, so there {@code socket().getChannel()} is
 *       ours, as in the JDK).</li>
 *   <li>{@code FileChannel.transferTo/transferFrom} with a Tux socket channel take the JDK's generic copy loop, not
 *       sendfile/splice (the JDK's fast path recognises only its own channel classes).</li>
 *   <li>A Tux selector accepts only channels of a Tux provider ({@code IllegalSelectorException} otherwise), as the
 *       JDK's selectors accept only the JDK's channels.</li>
 *   <li>Netty's selected-key-set optimisation (which replaces fields of the JDK's {@code SelectorImpl} by
 *       reflection) does not apply to our selector; Netty then uses the selector's own set.</li>
 * </ul>
 * In pass-through mode ({@code tux.enabled=false} or a malformed property) there is no difference: the objects are
 * the JDK's.
 */
package io.tux.spi;
