"""Excel adapters: xlwings formulas, the workbook buttons and the template builder."""

from .._process import return_freed_memory

# before udfs imports pandas (and so pyarrow): Arrow's C++ allocator is chosen then
return_freed_memory()
