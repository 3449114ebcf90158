import { ID_FIELD, TIME_FIELDS, type ListSpec } from '../../list/list-spec.js';

export const pipelineListSpec: ListSpec = {
  noun: 'pipeline',
  table: 'pipelines',
  fields: {
    name: { type: 'string', column: 'name', sortable: true },
    ...ID_FIELD,
    ...TIME_FIELDS,
  },
  search: { columns: ['name'] },
};
