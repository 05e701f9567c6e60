"""The training loop written out, for the two cases ``model.fit`` cannot serve.

- ``--strategy multiworker``: with Keras 3, ``model.fit`` under ``MultiWorkerMirroredStrategy``
  fails on its first step (keras-team/keras#20585, open since TF 2.16).
- ``--sam RHO`` (sharpness-aware minimisation, Foret et al., ICLR 2021): each step takes its
  gradient at the weights moved ``RHO`` along the first gradient's direction, then applies it
  at the weights it started from: two passes a step, for minima that stay low when the
  weights move a little (which is what a face unlike the training set's does to a network).

:func:`fit` runs the model and its compiled optimizer in a ``tf.GradientTape`` step through
``strategy.run``, with ``tf.nn.compute_average_loss`` over the global batch, and drives the
trainer's usual callback (checkpoints, history, events) as ``model.fit`` would. The stop flag
(SIGTERM, Ctrl+C) and the time budget are agreed by every worker each step, so all of them
stop after the same step.
"""

from __future__ import annotations

from trainer import rundir
from trainer.config import ConfigError


def fit(model, strategy, train_ds, val_ds, steps: int, epochs: int, initial_epoch: int,
        callback, stop, state: rundir.RunState, sam_rho: float = 0.0) -> None:
    """Train ``model`` from ``initial_epoch`` to ``epochs`` under ``strategy``.

    ``train_ds`` yields global batches (``steps`` of them are used each epoch); ``val_ds`` is
    evaluated by every worker on its own copy of the weights (they are identical), so it
    needs no communication. ``callback`` is the trainer's run callback. ``sam_rho`` above 0
    makes each step sharpness-aware (one device only: the weights are moved in place).

    Raises:
        ConfigError: a worker died or stopped answering (the message says how to resume), or
            ``sam_rho`` was asked of a strategy with several replicas.
    """
    import tensorflow as tf

    replicas = strategy.num_replicas_in_sync
    if sam_rho > 0 and replicas > 1:
        raise ConfigError(f"--sam trains on one device; this run's strategy has {replicas} "
                          "replicas (leave --sam out, or use --strategy one)")
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = \
        tf.data.experimental.AutoShardPolicy.DATA  # in-memory arrays: split each batch
    dist_ds = strategy.experimental_distribute_dataset(train_ds.take(steps).with_options(options))
    with strategy.scope():
        model.optimizer.build(model.trainable_variables)
    # Several replicas share whole global batches; one device averages over each batch as it
    # comes (the last one of an epoch may be short, as in model.fit).
    global_batch = _batch_size(train_ds) if replicas > 1 else None
    replica_step = _replica_step(model, global_batch, sam_rho)

    @tf.function
    def train_step(iterator, stop_code):
        x, y = next(iterator)
        loss, correct, count, agreed = strategy.run(replica_step, args=(x, y, stop_code))
        total = tf.distribute.ReduceOp.SUM
        return (strategy.reduce(total, loss, axis=None), strategy.reduce(total, correct, None),
                strategy.reduce(total, count, None),
                strategy.experimental_local_results(agreed)[0])

    callback.set_model(model)
    try:
        _loop(dist_ds, val_ds, train_step, _eval_step(model), steps, epochs, initial_epoch,
              callback, stop, state)
    except (tf.errors.UnavailableError, tf.errors.CancelledError, tf.errors.AbortedError,
            tf.errors.DeadlineExceededError, tf.errors.FailedPreconditionError) as exc:
        if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
            import re

            tasks = sorted(set(re.findall(r"/job:(\w+)/replica:\d+/task:(\d+)", str(exc))))
            who = ", ".join(f"{job} {index}" for job, index in tasks) or "a worker"
            raise ConfigError(
                f"{who} stopped responding (TensorFlow: {type(exc).__name__}; details in the "
                f"log); the last checkpoint is epoch {state.epoch}: restart every worker "
                "with --resume RUN_DIR (the chief's run folder)") from exc
        raise


def _batch_size(train_ds) -> int:
    for x, _y in train_ds.take(1):
        return int(x.shape[0])
    raise ConfigError("the training set yielded no batch")


def _per_example_loss(model):
    """The compiled loss per face, its label smoothing included: one function for the
    training and validation steps (two copies drifted apart, and a SAM run's val_loss read
    half a plain run's, review 40)."""
    import keras

    smoothing = float(getattr(model.loss, "label_smoothing", 0.0) or 0.0)
    return lambda y, probabilities: keras.losses.categorical_crossentropy(
        y, probabilities, label_smoothing=smoothing)


def _replica_step(model, global_batch: int | None, sam_rho: float):
    """One replica's step: (loss, correct answers, faces, the agreed stop code)."""
    import tensorflow as tf

    optimizer = model.optimizer
    loss_of = _per_example_loss(model)

    def loss_and_answers(x, y):
        with tf.GradientTape() as tape:
            probabilities = model(x, training=True)
            per_example = loss_of(y, probabilities)
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch)
            if model.losses:
                loss += tf.nn.scale_regularization_loss(tf.add_n(model.losses))
        return loss, probabilities, tape.gradient(loss, model.trainable_variables)

    def replica_step(x, y, stop_code):
        variables = model.trainable_variables
        loss, probabilities, gradients = loss_and_answers(x, y)
        if sam_rho > 0:
            # the steepest way up within a ball of radius rho (the first-order answer)
            scale = sam_rho / (tf.linalg.global_norm(gradients) + 1e-12)
            moves = [tf.cast(g, v.dtype) * scale for g, v in zip(gradients, variables,
                                                                   strict=True)]
            for variable, move in zip(variables, moves, strict=True):
                variable.assign_add(move)
            _, _, gradients = loss_and_answers(x, y)
            for variable, move in zip(variables, moves, strict=True):
                variable.assign_sub(move)
        optimizer.apply_gradients(zip(gradients, variables, strict=True))
        correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(probabilities, -1),
                                                 tf.argmax(y, -1)), tf.float32))
        count = tf.cast(tf.shape(y)[0], tf.float32)
        # [stop requested, time budget reached] summed over workers: all see the same totals
        # (identity: a tensor placed on this replica's device, which all_reduce needs)
        agreed = tf.distribute.get_replica_context().all_reduce(
            tf.distribute.ReduceOp.SUM, tf.identity(stop_code))
        return loss, correct, count, agreed

    return replica_step


def _eval_step(model):
    """The validation step: the compiled loss's label smoothing too, as ``model.fit`` scores
    val_loss (:func:`_per_example_loss`)."""
    import tensorflow as tf

    loss_of = _per_example_loss(model)

    @tf.function
    def eval_step(x, y):
        probabilities = model(x, training=False)
        per_example = loss_of(y, probabilities)
        correct = tf.cast(tf.equal(tf.argmax(probabilities, -1), tf.argmax(y, -1)), tf.float32)
        return tf.reduce_sum(per_example), tf.reduce_sum(correct)

    return eval_step


def _loop(dist_ds, val_ds, train_step, eval_step, steps, epochs, initial_epoch,
          callback, stop, state) -> None:
    """The epochs: steps, the agreed stop, validation, and the callback as model.fit calls it."""
    import tensorflow as tf

    for epoch in range(initial_epoch, epochs):
        callback.on_epoch_begin(epoch)
        iterator = iter(dist_ds)
        loss_sum = correct_sum = seen = 0.0
        stopped = agreed_stop = False
        for step in range(steps):
            code = [float(stop.requested), float(state.time_budget_reached)]
            loss, correct, count, agreed = train_step(iterator, tf.constant(code))
            loss_sum += float(loss)
            correct_sum += float(correct)
            seen += float(count)
            callback.on_train_batch_end(step, {"loss": loss_sum / (step + 1),
                                               "accuracy": correct_sum / max(1.0, seen)})
            requested, budget = (float(v) for v in agreed)
            if requested > 0:  # every worker saw the same totals: all stop after this step
                stop.requested = agreed_stop = True
                if budget > 0:
                    state.time_budget_reached = True
                stopped = step + 1 < steps
                break
        logs = {"loss": loss_sum / max(1, step + 1), "accuracy": correct_sum / max(1.0, seen)}
        if not stopped:
            val_loss = val_correct = count = 0.0
            for x, y in val_ds:
                batch_loss, batch_correct = eval_step(x, y)
                val_loss += float(batch_loss)
                val_correct += float(batch_correct)
                count += int(x.shape[0])
            logs |= {"val_loss": val_loss / max(1, count), "val_accuracy": val_correct
                     / max(1, count)}
        callback.on_epoch_end(epoch, logs)
        # Only an agreed stop ends the loop: a signal that came after this epoch's last step
        # is agreed on the next step, or the others would wait for this worker forever.
        if agreed_stop:
            break
