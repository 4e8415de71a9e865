//! Spend drawing: the budget bar (cost against `budget.max_list_cost`, warning from 80 %,
//! reached at 100 %), and the short budget cell of the session list.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::model::sessions::format_money;
use crate::model::spend::{BudgetLevel, Spend, level};
use crate::theme::Theme;

/// Cells of the bar itself.
const BAR_CELLS: usize = 20;

pub fn level_style(theme: &Theme, lvl: BudgetLevel) -> Style {
    match lvl {
        BudgetLevel::None | BudgetLevel::Ok => theme.money,
        BudgetLevel::Warn => theme.attention,
        BudgetLevel::Reached => theme.state_budget_reached,
    }
}

/// `████████░░░░  $0.50 of $0.60 (83%) ⚠ over 80%` (or the cost alone without a budget), and
/// the burn rate when one is known.
pub fn budget_line<'a>(
    theme: &Theme,
    s: &Spend,
    burn_per_hour: Option<i64>,
    label: usize,
) -> Line<'a> {
    let cost = format_money(s.cost_minor.unwrap_or(0), &s.currency);
    let (lvl, pct) = s.level();
    let style = level_style(theme, lvl);
    let mut spans = vec![Span::styled(format!("{:<label$}", "cost"), theme.dim)];
    match (s.budget_minor, pct) {
        (Some(max), Some(pct)) => {
            let filled = (pct.min(100) as usize * BAR_CELLS)
                .div_ceil(100)
                .min(BAR_CELLS);
            spans.push(Span::styled("█".repeat(filled), style));
            spans.push(Span::styled("░".repeat(BAR_CELLS - filled), theme.dim));
            spans.push(Span::styled(
                format!(" {cost} of {} ({pct}%)", format_money(max, &s.currency)),
                style,
            ));
            match lvl {
                BudgetLevel::Warn => spans.push(Span::styled(" ⚠ over 80% of budget", style)),
                BudgetLevel::Reached => spans.push(Span::styled(
                    " ✖ budget reached: raise or remove it to continue",
                    style,
                )),
                _ => {}
            }
        }
        _ => {
            spans.push(Span::styled(cost, style));
            spans.push(Span::styled("  no budget", theme.dim));
        }
    }
    if let Some(b) = burn_per_hour {
        spans.push(Span::styled(
            format!("  · burn {}/h", format_money(b, &s.currency)),
            theme.dim,
        ));
    }
    Line::from(spans)
}

/// The list's short budget cell: `83%` (styled by level), empty without a budget.
pub fn budget_cell(theme: &Theme, cost: Option<i64>, budget: Option<i64>) -> (String, Style) {
    match level(cost, budget) {
        (BudgetLevel::None, _) | (_, None) => (String::new(), theme.dim),
        (lvl, Some(pct)) => (format!("{}%", pct.min(999)), level_style(theme, lvl)),
    }
}
