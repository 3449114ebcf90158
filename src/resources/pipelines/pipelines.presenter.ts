import { toIso } from '../../platform/clock.js';
import type { Pipeline, Stage } from './pipelines.repository.js';

export function presentStage(stage: Stage) {
  return { ...stage, created_at: toIso(stage.created_at), updated_at: toIso(stage.updated_at) };
}

export function presentPipeline(pipeline: Pipeline) {
  return { ...pipeline, stages: pipeline.stages.map(presentStage), created_at: toIso(pipeline.created_at), updated_at: toIso(pipeline.updated_at) };
}
