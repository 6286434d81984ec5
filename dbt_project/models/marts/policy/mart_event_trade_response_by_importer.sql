with

response as (

    select * from {{ ref('int_policy__event_trade_response') }}

),

by_importer as (

    select
        event_id,
        importer_iso3,
        any_value(pre_year) as pre_year,
        any_value(post_year) as post_year,
        any_value(importer_group) as importer_group,
        coalesce(sum(pre_value_usd) filter (where supplier_role = 'restricting'), 0)
            as restricting_pre_usd,
        coalesce(sum(post_value_usd) filter (where supplier_role = 'restricting'), 0)
            as restricting_post_usd,
        coalesce(sum(pre_value_usd) filter (where supplier_role = 'other'), 0) as other_pre_usd,
        coalesce(sum(post_value_usd) filter (where supplier_role = 'other'), 0) as other_post_usd
    from response
    group by event_id, importer_iso3

),

peers as (

    select
        event_id,
        sum(restricting_post_usd) / nullif(sum(restricting_pre_usd), 0) - 1
            as peer_restricting_change_pct
    from by_importer
    where importer_group = 'peer'
    group by event_id

),

final as (

    select
        by_importer.event_id,
        by_importer.importer_iso3,
        by_importer.pre_year,
        by_importer.post_year,
        by_importer.importer_group,
        by_importer.restricting_pre_usd,
        by_importer.restricting_post_usd,
        by_importer.restricting_post_usd - by_importer.restricting_pre_usd
            as restricting_change_usd,
        by_importer.restricting_post_usd / nullif(by_importer.restricting_pre_usd, 0) - 1
            as restricting_change_pct,
        by_importer.other_pre_usd,
        by_importer.other_post_usd,
        by_importer.other_post_usd - by_importer.other_pre_usd as other_change_usd,
        by_importer.other_post_usd / nullif(by_importer.other_pre_usd, 0) - 1
            as other_change_pct,
        by_importer.restricting_pre_usd
        / nullif(by_importer.restricting_pre_usd + by_importer.other_pre_usd, 0)
            as restricting_share_pre,
        by_importer.restricting_post_usd
        / nullif(by_importer.restricting_post_usd + by_importer.other_post_usd, 0)
            as restricting_share_post,
        peers.peer_restricting_change_pct,
        case
            when by_importer.importer_group = 'covered'
                then
                    by_importer.restricting_post_usd
                    / nullif(by_importer.restricting_pre_usd, 0)
                    - 1
                    - peers.peer_restricting_change_pct
        end as change_pct_vs_peers
    from by_importer
    left join peers
        on by_importer.event_id = peers.event_id

)

select * from final
