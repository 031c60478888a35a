/**
 * The Google Vertex AI provider ({@code provider: vertex}): Gemini supervised tuning through Google's Gen AI
 * SDK, datasets in Cloud Storage, chat through {@code generateContent}. Nothing here is API: users reach it
 * through {@code tunekit.yaml} and the neutral {@code dev.tunekit} types.
 */
package dev.tunekit.vertex;
