import { ID_FIELD, TIME_FIELDS, type ListSpec, type FieldSpec } from '../../list/list-spec.js';

export const tagListSpec: ListSpec = {
  noun: 'tag',
  table: 'tags',
  fields: {
    name: { type: 'string', column: 'name', sortable: true },
    color: { type: 'string', column: 'color', nullable: true },
    ...ID_FIELD,
    ...TIME_FIELDS,
  },
  search: { columns: ['name'] },
};

export type TaggableType = 'contact' | 'company' | 'lead' | 'deal';

/** The `tag=` filter of a taggable record's list: records carrying that tag. */
export const tagFilter = (recordType: TaggableType): FieldSpec => ({
  type: 'id',
  column: 'id',
  via: { table: 'record_tags', foreignKey: 'record_id', column: 'tag_id', where: { record_type: recordType } },
  description: 'Records carrying this tag (a tag id).',
});
