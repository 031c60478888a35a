/**
 * The Amazon Bedrock provider: S3 upload, model customization jobs, custom-model deployment or
 * provisioned throughput, and Converse inference, on the AWS SDK for Java v2. Only
 * {@link dev.tunekit.bedrock.BedrockProviderFactory} is public; it is found by
 * {@link java.util.ServiceLoader} and chosen with {@code provider: bedrock}.
 */
package dev.tunekit.bedrock;
