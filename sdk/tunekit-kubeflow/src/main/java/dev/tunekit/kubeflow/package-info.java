/**
 * The Kubeflow Trainer engine ({@code provider: kubeflow}): LoRA/QLoRA fine-tuning of open-weight models with the
 * shipped TRL trainer ({@code trainers/trl/tunekit_train.py}) run as a Kubeflow Trainer v2 {@code TrainJob}
 * ({@code trainer.kubeflow.org/v1alpha1}) through the fabric8 Kubernetes client, the data in content-addressed
 * ConfigMaps, the adapter written to a configured output directory. Nothing here is API: users reach it through
 * {@code tunekit.yaml} and the neutral {@code dev.tunekit} types.
 */
package dev.tunekit.kubeflow;
