/**
 * The provider SPI: what a provider module implements so that the same run works on every provider.
 * A provider module ships one {@link dev.tunekit.spi.TuningProviderFactory}, registered in
 * {@code META-INF/services/dev.tunekit.spi.TuningProviderFactory}, and keeps everything else
 * package-private. Providers translate; they do not retry (the core's resilience layer is the one
 * retry layer) and they never let provider SDK types escape through these interfaces.
 */
package dev.tunekit.spi;
