package io.tux.spi;

import java.nio.channels.spi.SelectorProvider;

/** The conformance suite against the JDK's own provider, reached the way {@link TuxSelectorProvider} reaches it. */
class PlatformConformanceTest extends NioConformanceSuite {

    private static final SelectorProvider PLATFORM = PlatformProvider.find().provider();

    @Override
    protected SelectorProvider provider() {
        return PLATFORM;
    }
}
