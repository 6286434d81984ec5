{#-
    How a 4-digit HS heading reported by UN Comtrade (cmdCode 2846) maps to minerals and stages.
    A heading maps to a (mineral, stage) only when every HS 2017 subheading under it (seed
    hs_heading_subheadings) is in the commodity list with that mineral and stage
    (heading_mapping = 'exact': 2846 = 284610 + 284690, both rare-earth compounds). Otherwise it is
    not mapped and says why: 'covers_codes_outside_list' (8105 holds cobalt waste and articles
    besides 810520), 'mixed_minerals_or_stages' (every subheading listed, but under different
    minerals or stages), 'subheadings_unknown' (a heading reported but missing from the seed).
    One row per heading and mapped (mineral, stage); a heading not mapped has one row with mineral
    and stage null. Headings reported by Comtrade and absent from the seed are included.
-#}
with

subheadings as (

    select * from {{ ref('hs_heading_subheadings') }}

),

commodities as (

    select * from {{ ref('stg_reference__commodities') }}

),

flows as (

    select * from {{ ref('int_comtrade__flow_totals') }}

),

heading_sizes as (

    select
        heading,
        count(*) as subheading_count
    from subheadings
    group by heading

),

listed as (

    select
        subheadings.heading,
        subheadings.hs6,
        commodities.mineral,
        commodities.stage
    from subheadings
    inner join commodities
        on subheadings.hs6 = commodities.hs6

),

listed_counts as (

    select
        heading,
        count(distinct hs6) as listed_subheading_count
    from listed
    group by heading

),

-- A (mineral, stage) held by every subheading of its heading.
pairs as (

    select
        listed.heading,
        listed.mineral,
        listed.stage
    from listed
    inner join heading_sizes
        on listed.heading = heading_sizes.heading
    group by listed.heading, listed.mineral, listed.stage, heading_sizes.subheading_count
    having count(distinct listed.hs6) = heading_sizes.subheading_count

),

pair_counts as (

    select
        heading,
        count(*) as pair_count
    from pairs
    group by heading

),

-- Mixed: a subheading holds a (mineral, stage) that another subheading lacks.
pair_kinds as (

    select
        heading,
        count(distinct mineral || '/' || stage) as listed_pair_count
    from listed
    group by heading

),

headings as (

    select
        heading_sizes.heading,
        heading_sizes.subheading_count,
        coalesce(listed_counts.listed_subheading_count, 0) as listed_subheading_count,
        case
            when coalesce(listed_counts.listed_subheading_count, 0) < heading_sizes.subheading_count
                then 'covers_codes_outside_list'
            when pair_kinds.listed_pair_count = coalesce(pair_counts.pair_count, 0)
                then 'exact'
            else 'mixed_minerals_or_stages'
        end as heading_mapping
    from heading_sizes
    left join listed_counts
        on heading_sizes.heading = listed_counts.heading
    left join pair_counts
        on heading_sizes.heading = pair_counts.heading
    left join pair_kinds
        on heading_sizes.heading = pair_kinds.heading

),

reported_unknown as (

    select distinct
        flows.cmd_code as heading,
        cast(null as bigint) as subheading_count,
        cast(0 as bigint) as listed_subheading_count,
        'subheadings_unknown' as heading_mapping
    from flows
    anti join heading_sizes
        on flows.cmd_code = heading_sizes.heading
    where flows.cmd_digits = 4

),

final as (

    select
        headings.heading,
        headings.subheading_count,
        headings.listed_subheading_count,
        headings.heading_mapping,
        pairs.mineral,
        pairs.stage
    from headings
    left join pairs
        on
            headings.heading = pairs.heading
            and headings.heading_mapping = 'exact'

    union all

    select
        heading,
        subheading_count,
        listed_subheading_count,
        heading_mapping,
        null as mineral,
        null as stage
    from reported_unknown

)

select * from final
